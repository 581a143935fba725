"""The service's HTTP routes, one module per kind of resource."""
