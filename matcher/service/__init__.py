"""The HTTP service and the workers that run its jobs."""
