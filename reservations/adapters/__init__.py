"""The reservations store (MongoDB) as documents and a repository."""
