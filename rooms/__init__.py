"""The rooms service: the group's catalogue, availability, and holds on room-nights."""
