"""Hotline models package."""
