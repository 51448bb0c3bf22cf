"""Engagement figures: imported from the platforms, ranked."""
