"""The REST API (django-ninja); OpenAPI at /api/openapi.json."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="Rongcuo 容错纠错 API", version="1", urls_namespace="api")
