"""The reservations service: one MongoDB document per booking, with its confirmation code."""
