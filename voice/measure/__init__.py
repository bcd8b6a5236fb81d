"""Measurements of the voice loop on recordings and synthetic callers (not used at run time)."""
