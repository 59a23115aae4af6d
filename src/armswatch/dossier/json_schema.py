"""JSON Schema (draft 2020-12) of ``armswatch dossier … -o FILE.json`` (``"schema": "armswatch.dossier/1"``)."""

from __future__ import annotations

from typing import Any, Final

_TEXT: Final = {"type": "string"}
_TIME: Final = {"type": ["string", "null"], "format": "date-time"}

PROVENANCE: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["source", "artifacts", "run", "review", "finding", "detail"],
    "additionalProperties": False,
    "properties": {
        "source": _TEXT,
        "artifacts": {"type": "array", "items": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"}},
        "run": {"type": ["string", "null"]},
        "review": _TEXT,
        "finding": {"type": ["string", "null"]},
        "detail": _TEXT,
    },
}

STATEMENT: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["section", "kind", "text", "start", "end", "status", "simulated", "geometry", "provenance"],
    "additionalProperties": False,
    "properties": {
        "section": {
            "enum": [
                "identity",
                "registry",
                "designation",
                "ownership",
                "location",
                "description",
                "imagery",
                "event",
                "movement",
                "munition",
                "entity",
                "finding",
            ]
        },
        "kind": _TEXT,
        "text": _TEXT,
        "start": _TIME,
        "end": _TIME,
        "status": {"enum": [None, "new", "confirmed", "rejected"]},
        "simulated": {"type": "boolean"},
        "geometry": {"type": ["object", "null"], "required": ["type"]},
        "provenance": {"type": "array", "minItems": 1, "items": PROVENANCE},
    },
}

SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "armswatch dossier",
    "type": "object",
    "required": [
        "schema",
        "subject",
        "id",
        "title",
        "generated_at",
        "workspace",
        "armswatch",
        "facts",
        "statements",
        "track",
        "sites",
        "notes",
        "simulated_note",
        "stats",
    ],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": "armswatch.dossier/1"},
        "subject": {"enum": ["vessel", "site"]},
        "id": _TEXT,
        "title": _TEXT,
        "generated_at": _TIME,
        "workspace": _TEXT,
        "armswatch": _TEXT,
        "facts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["label", "value"],
                "properties": {"label": _TEXT, "value": _TEXT},
            },
        },
        "statements": {"type": "array", "items": STATEMENT},
        "track": {"type": ["object", "null"]},
        "sites": {"type": "array", "items": _TEXT},
        "notes": {"type": "array", "items": _TEXT},
        "simulated_note": {"type": ["string", "null"]},
        "stats": {"type": "object"},
    },
}
