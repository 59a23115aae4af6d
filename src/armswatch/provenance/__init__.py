"""armswatch.provenance."""
