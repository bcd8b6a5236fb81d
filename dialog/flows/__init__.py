"""Deterministic multi-turn flows for transactional requests."""
