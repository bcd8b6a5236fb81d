"""Hotline dialog package."""
