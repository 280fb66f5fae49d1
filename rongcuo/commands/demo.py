"""`rongcuo demo`: load the demo data (idempotent) and print the demo accounts."""

from __future__ import annotations

import click

from rongcuo.commands import django_setup
from rongcuo.commands.common import friendly
from rongcuo.commands.serve import migrate_if_needed

STAGE_ORDER = (
    "unit_review",
    "acceptance",
    "investigation",
    "preliminary",
    "defence",
    "third_party",
    "hearing",
    "deliberation",
    "decision",
    "feedback",
    "publication",
    "appeal_window",
    "appeal",
    "closed",
)
START_LABELS = {"individual": "依申请（个人）", "unit": "依申请（单位）", "proactive": "主动容错"}
OUTCOME_LABELS = {"exempt": "免予问责", "mitigate": "从轻或减轻", "not_tolerated": "不予容错", "undetermined": "待定"}


def _counts(counts: dict[str, int], labels: dict[str, str], order: tuple[str, ...] | None = None) -> str:
    keys = [k for k in (order or tuple(labels)) if counts.get(k)] + sorted(set(counts) - set(order or labels))
    return "，".join(f"{labels.get(k, k)} {counts[k]}" for k in keys)


@click.command()
@friendly
def demo() -> None:
    """载入演示数据（地区、单位、干部、各角色账号、各环节案件），并列出演示账号。可重复运行。"""
    django_setup.setup()
    migrate_if_needed()
    from rongcuo import demo as builder
    from rongcuo.core.errors import ActionError
    from rongcuo.procedure.engine import definition

    if not builder.exists():
        click.echo("正在载入演示数据（首次约需半分钟）……")
    try:
        result = builder.load()
    except ActionError as exc:
        click.echo(f"rongcuo: {exc.message}", err=True)
        raise SystemExit(2) from None
    s = result.summary
    if result.created:
        click.echo(f"演示数据已载入：{s['cases']} 件案件，{s['accounts']} 个账号。")
    else:
        click.echo("演示数据已存在，未重复载入。")
    stages = {st["id"]: st["label"] for st in definition()["stages"]}
    click.echo(f"  各环节：{_counts(s['stages'], stages, STAGE_ORDER)}")
    click.echo(f"  启动方式：{_counts(s['start_types'], START_LABELS)}")
    click.echo(f"  规则评估结论：{_counts(s['engine_outcomes'], OUTCOME_LABELS)}")
    click.echo(f"  已作出决定：{_counts(s['decisions'], OUTCOME_LABELS)}")
    click.echo(f"  逾期案件：{s['overdue']} 件")
    click.echo(f"\n演示账号（密码均为 {builder.PASSWORD}，仅供演示，切勿用于生产环境）：\n")
    click.echo(builder.accounts_table(result.accounts))
