"""Hotline kb package."""
