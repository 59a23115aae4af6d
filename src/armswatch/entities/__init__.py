"""armswatch.entities."""
