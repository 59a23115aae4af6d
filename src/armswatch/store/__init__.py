"""armswatch.store."""
