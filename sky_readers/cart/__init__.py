"""cart package."""
