"""Entities: sanctions lists as FollowTheMoney entities, stored as statements with list history.

Entry points: :func:`armswatch.entities.importer.load_entities` (parse a list file, no workspace),
:func:`armswatch.entities.ingest.import_list` (import into a workspace as a run),
:func:`armswatch.entities.history.entity_at` / :func:`~armswatch.entities.history.entities_at`
(as-of views), :func:`armswatch.entities.lookup.find_vessels` (IMO/MMSI join for AIS) and
:mod:`armswatch.entities.graph` (relations and paths to designated entities).
"""
