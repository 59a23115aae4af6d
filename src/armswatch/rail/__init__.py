"""Rail movements at watched crossings and yards (wagon counts over time). See docs/rail.md."""
