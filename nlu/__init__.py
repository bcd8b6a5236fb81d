"""Hotline nlu package."""
