"""`rongcuo deadlines …`: the deadline sweeper (overdue marks and reminders), run daily by a scheduler."""

from __future__ import annotations

import datetime as dt

import click

from rongcuo.commands import django_setup
from rongcuo.commands.common import friendly
from rongcuo.policy.errors import PolicyError


@click.group()
def deadlines() -> None:
    """办理期限：逾期标记与到期提醒。"""


@deadlines.command()
@click.option("--today", "today", help="按该日期扫描（YYYY-MM-DD），默认今天")
@friendly
def sweep(today: str | None) -> None:
    """标记逾期期限，生成逾期与即将到期提醒，同步案件逾期标记（可重复运行）。"""
    day = None
    if today is not None:
        try:
            day = dt.date.fromisoformat(today)
        except ValueError:
            raise PolicyError(f"日期 {today!r} 格式不对，应为 YYYY-MM-DD", field="--today") from None
    django_setup.setup()
    from rongcuo.procedure.sweep import chinese_date
    from rongcuo.procedure.sweep import sweep as run

    r = run(day)
    click.echo(f"期限扫描（{chinese_date(r.today)}）完成：")
    cleared = f"，解除逾期 {r.overdue_cleared} 项" if r.overdue_cleared else ""
    click.echo(f"  新增逾期期限 {r.newly_overdue} 项{cleared}")
    kinds = f"逾期 {r.overdue_reminders} 条，即将到期 {r.due_soon_reminders} 条"
    click.echo(f"  新建提醒 {r.reminders_created} 条（{kinds}）")
    click.echo(f"  标记逾期案件 {r.cases_flagged} 件，解除逾期标记 {r.cases_unflagged} 件")
