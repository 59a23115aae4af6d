"""Dark-voyage reconstruction: what a vessel could have done while its AIS was off, and what in the
case corroborates it (sightings, port-state and trade records, imagery counts). See docs/voyages.md."""
