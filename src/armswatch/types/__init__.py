"""Layer 0: small value types with clean / validate / compare."""
