"""armswatch.imagery."""
