"""Wishlists: books a shopper wants, moved to the cart or announced when restocked."""
