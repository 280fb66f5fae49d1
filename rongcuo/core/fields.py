"""Model fields of the service's own.

`DocumentField` holds a JSON document that is written whole and read whole: a case's evaluation under its
policies, a decision's archived evaluation, a timeline event's data. Nothing queries inside them, so on
PostgreSQL they are stored as text, not jsonb: jsonb parses every document into its binary form on write
and prints it back on read, which was most of PostgreSQL's CPU when writing a case's rows (a case's
evaluation is 7 kB, a decision's 6 kB) and served no query. On every database the text is compact UTF-8
JSON with the keys in the order they were written (jsonb reorders them); SQLite keeps Django's JSON_VALID
check. Key lookups (`evaluation__outcome=…`) and JSON containment are refused by name, so a query that
would need jsonb fails at once instead of running against text.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models

ALLOWED_LOOKUPS = frozenset({"isnull"})


def dumps(value: Any, encoder: type[json.JSONEncoder] | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), cls=encoder)


class DocumentField(models.JSONField):
    description = "A JSON document stored as text"

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "postgresql":
            return "text"
        return super().db_type(connection)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        return dumps(value, self.encoder)

    def get_lookup(self, lookup_name: str) -> Any:
        return super().get_lookup(lookup_name) if lookup_name in ALLOWED_LOOKUPS else None

    def get_transform(self, name: str) -> Any:
        return None
