"""The API's JSON: the same values and date/time format as Django's encoder, Chinese as UTF-8."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder

from rongcuo.core.renderers import FastJSONRenderer


def test_same_values_as_djangos_encoder_and_utf8() -> None:
    data = {
        "at": dt.datetime(2026, 11, 27, 13, 5, 1, 123456, tzinfo=dt.UTC),
        "on": dt.date(2024, 2, 4),
        "amount": Decimal("12.50"),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "outcome": "免予问责",
        "nested": [{"value": None, "flag": True, "n": 3}],
    }
    body = FastJSONRenderer().render(None, data, response_status=200)  # type: ignore[arg-type]
    assert "免予问责".encode() in body  # not \\u escapes
    assert json.loads(body) == json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    assert json.loads(body)["at"] == "2026-11-27T13:05:01.123Z"
