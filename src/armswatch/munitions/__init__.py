"""Munition items: what was recovered, where, its markings, and the plant and shipment it points to."""
