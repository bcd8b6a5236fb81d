"""Hotline telephony package."""
