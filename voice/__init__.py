"""Hotline voice package."""
