"""The rooms service's process: HTTP routes and the lifespan composing everything."""
