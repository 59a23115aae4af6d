"""Live AIS feeds: a websocket (aisstream.io JSON) or raw NMEA over TCP or UDP, ingested continuously
in time-bounded batches through the normal ``ais.ingest`` path (see ``docs/live.md``)."""
