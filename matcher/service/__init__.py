"""The engine as an HTTP service (``matcher serve``): the service layer over the database store,
the FastAPI routes over it, and the workers that run rounds and simulations off the request path."""
