"""Dossiers: one vessel's or one facility's whole story, every statement with its provenance."""
