"""Joins between capabilities (movements × entities, …), built on their public functions."""
