"""armswatch.matching."""
