"""Response and request models of the REST API."""
