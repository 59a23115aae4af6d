"""armswatch.maritime."""
