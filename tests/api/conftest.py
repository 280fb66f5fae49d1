"""Shared fixtures for the API tests: the `world` of users (tests/cases/conftest.py) and HTTP clients."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from rongcuo.accounts.models import User
from tests.cases.conftest import PASSWORD, World, world  # noqa: F401


class Api:
    """A django.test.Client speaking JSON to /api/."""

    def __init__(self, client: Client, token: str | None = None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _url(self, path: str) -> str:
        return path if path.startswith("/api/") else "/api" + path

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(self._url(path), params or {}, headers=self.headers)

    def post(self, path: str, data: Any = None) -> Any:
        body = "" if data is None else json.dumps(data, ensure_ascii=False, default=str)
        return self.client.post(self._url(path), body, content_type="application/json", headers=self.headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(self._url(path), headers=self.headers)

    def upload(self, path: str, name: str, content: bytes, kind: str = "evidence") -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        f = SimpleUploadedFile(name, content)
        return self.client.post(self._url(path), {"file": f, "kind": kind}, headers=self.headers)


def signed_in(user: User) -> Api:
    client = Client()
    client.force_login(user)
    return Api(client)


@pytest.fixture
def as_user(world: World):  # noqa: F811
    """as_user("handler") → an Api signed in as that world user (session, CSRF not enforced)."""
    cache: dict[str, Api] = {}

    def get(name: str) -> Api:
        if name not in cache:
            cache[name] = signed_in(world.users[name])
        return cache[name]

    return get
