"""Routers of the after-decision apps, found by convention: `rongcuo/<app>/api.py` defines `router` and
`PREFIX`. Keeps rongcuo/api.py from having to know every app."""

from __future__ import annotations

import importlib

from ninja import NinjaAPI

APPS = ("outcomes", "disclosure", "search", "consultation", "stats", "documents", "exchange")


def register(api: NinjaAPI) -> None:
    for app in APPS:
        try:
            module = importlib.import_module(f"rongcuo.{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"rongcuo.{app}.api":
                raise
            continue
        api.add_router(module.PREFIX, module.router)
