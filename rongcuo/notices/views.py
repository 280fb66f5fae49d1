"""/notices/: the user's own notices, newest first, a page at a time; marking one or all read (POST only).
Another user's notice answers 404, as a missing one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from .models import Notice

PAGE = 50
MAX_ID = 2**63 - 1


def _page(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 10_000 else 1


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    page = _page(request)
    start = (page - 1) * PAGE
    # one row past the page says whether there is a next one, without counting them all
    rows = list(Notice.objects.filter(user=request.user).order_by("-created_at", "-id")[start : start + PAGE + 1])
    context = {
        "notices": rows[:PAGE],
        "page": page,
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if len(rows) > PAGE else None,
        "unread": any(n.read_at is None for n in rows[:PAGE]),
    }
    return render(request, "notices/list.html", context)


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    if not 0 < pk <= MAX_ID:
        raise Http404("站内信不存在")
    done = Notice.objects.filter(pk=pk, user=request.user).first()
    if done is None:
        raise Http404("站内信不存在")
    if done.read_at is None:
        Notice.objects.filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notices:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    n = Notice.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, f"已将 {n} 条站内信标为已读" if n else "没有未读的站内信")
    return redirect("notices:list")
