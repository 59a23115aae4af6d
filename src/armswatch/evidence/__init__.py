"""Evidence: captured files with chain of custody, trusted timestamps and portable packages."""
