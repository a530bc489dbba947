"""The reservations service's HTTP app and its composition root."""
