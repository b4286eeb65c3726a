"""Sky Readers Haven, an online bookstore."""

__version__ = "0.1.0"
