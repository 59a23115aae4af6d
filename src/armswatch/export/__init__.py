"""armswatch.export."""
