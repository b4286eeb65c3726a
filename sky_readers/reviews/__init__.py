"""Shoppers' reviews and ratings of books, with moderation by admins."""
