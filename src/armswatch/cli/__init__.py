"""armswatch.cli."""
