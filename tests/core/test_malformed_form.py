"""A web form post whose multipart body cannot be parsed answers 400 in Chinese, never 500."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/login/", "/cases/1/attachments/", "/exchange/import/"])
def test_multipart_without_boundary_is_a_400(path: str) -> None:
    r = Client(raise_request_exception=False).post(
        path, data=b"--x\\r\\ncontent", content_type="multipart/form-data"
    )
    assert r.status_code == 400
    assert "无法解析" in r.content.decode()


def test_ordinary_form_posts_still_reach_the_view() -> None:
    r = Client().post("/login/", {"username": "nobody", "password": "x"})
    assert r.status_code == 401 and "用户名或密码错误" in r.content.decode() and "无法解析" not in r.content.decode()
