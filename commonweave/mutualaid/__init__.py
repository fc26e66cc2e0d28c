"""Mutual aid: neighbours' needs and offers, matched fairly and safely (issue 16)."""
