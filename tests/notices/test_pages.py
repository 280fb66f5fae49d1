"""/notices/: the user's own notices newest first, unread marked, times in Beijing time; marking read only one's
own (another's answers 404); the navigation's 「站内信」 with the unread count; queries bounded."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rongcuo.notices.models import Notice

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav aria-label="主导航">(.*?)</nav>', re.S)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def note(user, text: str, **extra) -> Notice:
    return Notice.objects.create(user=user, kind="awaiting", text=text, url="/cases/", **extra)


def nav(c: Client) -> str:
    r = c.get("/")
    assert r.status_code == 200
    return NAV.search(r.content.decode()).group(1)


def test_list_newest_first_unread_marked_in_beijing_time(world) -> None:
    w = world
    old = note(w.applicant, "较早的通知", created_at=dt.datetime(2025, 3, 1, 16, 30, tzinfo=dt.UTC))
    new = note(w.applicant, "较新的通知", created_at=dt.datetime(2025, 3, 2, 1, 5, tzinfo=dt.UTC))
    old.read_at = dt.datetime(2025, 3, 2, tzinfo=dt.UTC)
    old.save()
    note(w.unit_contact, "他人的通知")
    html = client_for(w.applicant).get("/notices/").content.decode()
    assert html.index("较新的通知") < html.index("较早的通知") and "他人的通知" not in html
    assert "2025年3月2日 00:30" in html and "2025年3月2日 09:05" in html  # UTC+8
    assert html.count("未读") == 1 and f'action="/notices/{new.pk}/read/"' in html
    assert f'action="/notices/{old.pk}/read/"' not in html and '<a href="/cases/">' in html


def test_only_the_owner_marks_a_notice_read(world) -> None:
    w = world
    mine = note(w.applicant, "我的通知")
    other = client_for(w.unit_contact)
    assert other.post(f"/notices/{mine.pk}/read/").status_code == 404
    assert other.post("/notices/99999999/read/").status_code == 404
    assert "我的通知" not in other.get("/notices/").content.decode()
    assert other.post("/notices/read-all/").status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is None
    owner = client_for(w.applicant)
    assert owner.get(f"/notices/{mine.pk}/read/").status_code == 405  # a change of state is a POST
    assert owner.post(f"/notices/{mine.pk}/read/")["Location"] == "/notices/"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_read_all_marks_only_ones_own(world) -> None:
    w = world
    for i in range(3):
        note(w.applicant, f"通知{i}")
    theirs = note(w.unit_contact, "他人的通知")
    c = client_for(w.applicant)
    r = c.post("/notices/read-all/", follow=True)
    assert "已将 3 条站内信标为已读" in r.content.decode()
    assert not Notice.objects.filter(user=w.applicant, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_anonymous_is_sent_to_sign_in(world) -> None:
    assert Client().get("/notices/")["Location"].startswith("/login/")


def test_navigation_shows_the_unread_count(world) -> None:
    w = world
    c = client_for(w.applicant)
    assert "站内信" not in nav(c)  # never had one: no entry
    first, _ = note(w.applicant, "一"), note(w.applicant, "二")
    note(w.unit_contact, "他人的")
    assert '<a href="/notices/">站内信（2）</a>' in nav(c)
    c.post(f"/notices/{first.pk}/read/")
    assert '<a href="/notices/">站内信（1）</a>' in nav(c)
    c.post("/notices/read-all/")
    assert '<a href="/notices/">站内信</a>' in nav(c)


def test_list_queries_do_not_grow_with_the_notices(world) -> None:
    w = world
    c = client_for(w.applicant)

    def count() -> int:
        c.get("/notices/")  # warm
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/notices/").status_code == 200
        return len(ctx.captured_queries)

    note(w.applicant, "一")
    few = count()
    Notice.objects.bulk_create(Notice(user=w.applicant, kind="document", text=f"通知{i}", url="/") for i in range(120))
    assert count() == few
    assert few <= 12
    html = c.get("/notices/?page=2").content.decode()
    assert "上一页" in html and "下一页" in html and "第 2 页" in html
    assert c.get("/notices/?page=abc").status_code == 200
