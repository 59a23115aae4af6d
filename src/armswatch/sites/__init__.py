"""armswatch.sites."""
