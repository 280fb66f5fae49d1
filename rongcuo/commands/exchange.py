"""`rongcuo import …` and `rongcuo export …`: Excel exchange from the command line.

    rongcuo import 干部名册.xlsx --user zhang [--dry-run] [--json]
    rongcuo export cases    --user zhang [-o 案件.xlsx] [--stage …] [--start-type …] [--jurisdiction …] …
    rongcuo export stats    --user zhang [-o 统计.xlsx] [--jurisdiction …] [--since …] [--until …] [--period …]
    rongcuo export standing --user zhang [-o 台账.xlsx] [--jurisdiction …] [--on YYYY-MM-DD]
    rongcuo export template [-o 导入模板.xlsx]

The command acts as the named account (its roles and scope, audited with ip "cli"): whoever runs it on the
server must be allowed to act for that account. Exit status: 0 done, 1 the workbook failed validation
(nothing imported; the report is printed), 2 bad input (missing file, not an .xlsx, unknown account, no
permission, bad filter). Progress bars appear on a terminal for large files.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from rongcuo.commands import django_setup
from rongcuo.commands.common import friendly

T = TypeVar("T")
PROGRESS_MIN = 200  # items before a progress bar is worth showing
CLI_IP = "cli"


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"rongcuo: {message}", err=True)
    sys.exit(code)


def _track(items: Iterable[T], label: str, total: int | None) -> Iterator[T]:
    """A progress bar on standard error when it is a terminal and there is enough to do."""
    if not sys.stderr.isatty() or (total is not None and total < PROGRESS_MIN):
        yield from items
        return
    with click.progressbar(items, length=total, label=label, file=sys.stderr) as bar:  # type: ignore[arg-type]
        yield from bar


def _user(username: str) -> Any:
    from rongcuo.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        _fail(f"账号“{username}”不存在或已停用")
    return user


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"{option} 日期 {value!r} 格式不对，应为 YYYY-MM-DD")
    return None


def _action(fn: Callable[[], T]) -> T:
    """Refusals of an action (no permission, bad filter, not a workbook) become exit status 2."""
    from rongcuo.core.errors import ActionError

    try:
        return fn()
    except ActionError as exc:
        _fail(exc.message)
        raise  # unreachable


# --- import ----------------------------------------------------------------------------------------------


def _print_report(report: Any) -> None:
    for p in report.problems:
        click.echo(f"  {p.describe()}")
    if report.total_problems > len(report.problems):
        click.echo(f"  ……另有 {report.total_problems - len(report.problems)} 处问题未列出")
    click.echo(report.summary())


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--user", "-u", "username", required=True, help="以该账号的身份导入（须为承办人）")
@click.option("--dry-run", is_flag=True, help="只校验并报告将新增、更新多少，不写入")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON 报告")
@friendly
def import_cmd(file: Path, username: str, dry_run: bool, as_json: bool) -> None:
    """从 Excel 工作簿（.xlsx）导入单位、干部和问责事项；有任何问题时不导入任何数据。

    格式见 docs/exchange-format.md，空白模板：rongcuo export template。
    """
    if not file.exists():
        _fail(f"文件不存在：{file}")
    content = file.read_bytes()
    django_setup.setup()
    from rongcuo.core.errors import ActionError
    from rongcuo.exchange import actions

    user = _user(username)
    try:
        report = actions.import_workbook(user, content, file.name, dry_run=dry_run, ip=CLI_IP, track=_track)
    except actions.ImportRejected as exc:
        report = exc.report
    except ActionError as exc:
        _fail(exc.message)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    if not report.ok:
        sys.exit(1)


# --- export ----------------------------------------------------------------------------------------------


def _write(output: Path | None, default_name: str, produce: Callable[[Any], Any]) -> tuple[Path, Any]:
    """Write to a temporary file beside the target and rename it, so a failed export leaves no half file."""
    target = output or Path(default_name)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        _fail(f"输出目录不存在：{folder}")
    fd, tmp = tempfile.mkstemp(prefix=".rongcuo-", suffix=".xlsx", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            result = produce(out)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target, result


def _done(target: Path, rows: int) -> None:
    click.echo(f"已导出 {rows} 行到 {target}")


@click.group("export")
def export_cmd() -> None:
    """导出 Excel（.xlsx）：案件清单、统计、结果运用台账，以及导入模板。"""


OUTPUT = click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="输出文件（.xlsx）")
USER = click.option("--user", "-u", "username", required=True, help="以该账号的身份导出（按其权限范围）")


@export_cmd.command("cases")
@USER
@OUTPUT
@click.option("--stage", help="环节代码")
@click.option("--start-type", help="启动方式：individual / unit / proactive")
@click.option("--jurisdiction", help="区划代码（含下级）")
@click.option("--outcome", help="结论：exempt / mitigate / not_tolerated / engine_undetermined")
@click.option("--overdue", is_flag=True, help="仅逾期案件")
@click.option("--domain", help="领域")
@click.option("--status", help="状态：open / closed")
@click.option("--q", "q", help="案号或标题包含")
@friendly
def export_cases(username: str, output: Path | None, overdue: bool, **filters: Any) -> None:
    """导出案件清单（与案件列表页相同的筛选条件，仅限本人可见的案件）。"""
    django_setup.setup()
    from rongcuo.exchange import actions

    user = _user(username)
    filters["overdue"] = "1" if overdue else ""
    filters = {k: v for k, v in filters.items() if v}
    name = actions.export_filename("cases")
    target, result = _write(
        output, name, lambda out: _action(lambda: actions.export_cases(user, filters, out, ip=CLI_IP, track=_track))
    )
    _done(target, result.rows)


@export_cmd.command("stats")
@USER
@OUTPUT
@click.option("--jurisdiction", default="", help="区划代码（含下级）")
@click.option("--since", help="立案日期起（YYYY-MM-DD）")
@click.option("--until", help="立案日期止（YYYY-MM-DD）")
@click.option("--period", type=click.Choice(["month", "quarter", "year"]), default="month", show_default=True)
@friendly
def export_stats(
    username: str, output: Path | None, jurisdiction: str, since: str | None, until: str | None, period: str
) -> None:
    """导出案件统计（概况、各维度、办理用时、逾期，各一个工作表）。"""
    django_setup.setup()
    from rongcuo.exchange import actions
    from rongcuo.exchange.exports import StatsFilters

    f = StatsFilters(jurisdiction, _date(since, "--since"), _date(until, "--until"), period)
    user = _user(username)
    name = actions.export_filename("stats")
    target, result = _write(output, name, lambda out: _action(lambda: actions.export_stats(user, f, out, ip=CLI_IP)))
    _done(target, result.rows)


@export_cmd.command("standing")
@USER
@OUTPUT
@click.option("--jurisdiction", default="", help="区划代码（含下级）")
@click.option("--on", "on", help="按该日期判断是否受影响（YYYY-MM-DD），默认今天")
@friendly
def export_standing(username: str, output: Path | None, jurisdiction: str, on: str | None) -> None:
    """导出结果运用台账（身份证号脱敏，不含手机号）。"""
    day = _date(on, "--on")
    django_setup.setup()
    from rongcuo.exchange import actions

    user = _user(username)
    name = actions.export_filename("standing")
    target, result = _write(
        output,
        name,
        lambda out: _action(
            lambda: actions.export_standing(user, out, jurisdiction=jurisdiction, on=day, ip=CLI_IP, track=_track)
        ),
    )
    _done(target, result.rows)


@export_cmd.command("template")
@OUTPUT
@friendly
def export_template(output: Path | None) -> None:
    """导出空白导入模板（含“说明”页）。"""
    from rongcuo.exchange.template import write_template

    target, _ = _write(output, "导入模板.xlsx", write_template)
    click.echo(f"已写出导入模板 {target}")
