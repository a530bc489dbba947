"""The partners' channel: partner systems book and cancel over the broker, and receive their
answers and their bookings' outcomes as CloudEvents on a queue of their own (`contracts.partners`).
"""
