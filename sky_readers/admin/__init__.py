"""Read models and jobs of the admin pages that span several parts of the shop."""
