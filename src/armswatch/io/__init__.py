"""armswatch.io."""
