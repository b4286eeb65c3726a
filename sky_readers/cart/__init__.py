"""Carts of shoppers and visitors; `cart.services` holds every operation."""
