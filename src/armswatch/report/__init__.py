"""armswatch.report."""
