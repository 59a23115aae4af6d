"""Connectors to imagery providers (Planet, Sentinel Hub, authenticated STAC APIs). Nothing here contacts
a service unless a caller asks it to; keys come from :mod:`armswatch.connectors.credentials`."""
