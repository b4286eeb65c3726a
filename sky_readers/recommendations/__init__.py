"""Similar books and personal picks, computed from ratings, reviews and orders."""
