"""`rongcuo audit …`: verify the hash chain, make, export and check Merkle checkpoints.

Exit status: 0 the check passed, 1 it found a broken record or checkpoint, 2 bad input.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from rongcuo.commands import django_setup
from rongcuo.commands.common import friendly
from rongcuo.policy.errors import PolicyError


@click.group()
def audit() -> None:
    """安全审计日志：哈希链校验与 Merkle 检查点。"""


def _usable_cpus() -> int:
    """CPUs this process may run on (a container's affinity mask, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@audit.command()
@click.option("--batch", default=5000, show_default=True, type=click.IntRange(min=1), help="每批读取的记录数")
@click.option("--exact", is_flag=True, help="逐条经 ORM 重算（慢，用于核对快速校验）")
@click.option(
    "--jobs",
    default=None,
    type=click.IntRange(min=1),
    help="并行校验的进程数（默认为 CPU 数，至多 8；记录少于 5 万条时单进程）",
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@friendly
def verify(batch: int, exact: bool, jobs: int | None, as_json: bool) -> None:
    """校验审计哈希链：逐条重算 SM3 哈希、前后链接与链头。"""
    django_setup.setup()
    from rongcuo.audit.chain import format_at
    from rongcuo.audit.verify import verify_chain

    r = verify_chain(batch=batch, exact=exact, jobs=jobs or min(_usable_cpus(), 8))
    if as_json:
        b = r.broken
        out = {
            "ok": r.ok,
            "count": r.count,
            "head_seq": r.head_seq,
            "head_hash": r.head_hash,
            "records_per_second": round(r.rate),
            "broken": None
            if b is None
            else {
                "seq": b.seq,
                "at": format_at(b.at) if b.at else None,
                "action": b.action,
                "problem": b.problem,
            },
        }
        click.echo(json.dumps(out, ensure_ascii=False))
    elif r.ok:
        click.echo(f"审计链完整：共 {r.count:,} 条记录，链头哈希 {r.head_hash}")
        click.echo(f"用时 {r.seconds:.2f} 秒（{r.rate:,.0f} 条/秒）")
    else:
        assert r.broken is not None
        click.echo(f"审计链断裂：{r.broken.describe()}")
        click.echo(f"（此前 {r.count:,} 条记录完好；链头为第 {r.head_seq} 条，哈希 {r.head_hash}）")
    if not r.ok:
        sys.exit(1)


@audit.command()
@friendly
def checkpoint() -> None:
    """为当前链头生成 Merkle 检查点（已存在则不重复生成）。"""
    django_setup.setup()
    from rongcuo.audit.verify import AuditIntegrityError, create_checkpoint

    try:
        cp, created = create_checkpoint()
    except AuditIntegrityError as exc:
        click.echo(f"无法生成检查点：{exc}（请先运行 rongcuo audit verify）")
        sys.exit(1)
    if cp is None:
        click.echo("尚无审计记录，未生成检查点。")
        return
    what = "已生成检查点" if created else "检查点已存在"
    click.echo(f"{what}：树大小 {cp.tree_size}，根哈希 {cp.root_hash}，链头哈希 {cp.head_hash}")


@audit.command("export-checkpoints")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="写入文件（默认标准输出）")
@friendly
def export_checkpoints(output: str | None) -> None:
    """导出全部检查点（JSON），应保存在数据库之外，供日后核对。"""
    django_setup.setup()
    from rongcuo.audit.verify import export_checkpoints as export

    text = export()
    if output is None:
        click.echo(text, nl=False)
        return
    Path(output).write_text(text, encoding="utf-8")
    count = len(json.loads(text)["checkpoints"])
    click.echo(f"已导出 {count} 个检查点到 {output}", err=True)


@audit.command("check-checkpoints")
@click.argument("file", required=False)
@friendly
def check_checkpoints(file: str | None) -> None:
    """用当前记录重算检查点并与导出文件（FILE，- 为标准输入）核对；不给 FILE 则核对库中保存的检查点。"""
    data: bytes | None = None
    if file == "-":
        data = sys.stdin.buffer.read()
    elif file is not None:
        p = Path(file)
        if not p.is_file():
            raise PolicyError("检查点文件不存在或不是文件", file=file)
        data = p.read_bytes()
    django_setup.setup()
    from rongcuo.audit.verify import CheckpointFileError
    from rongcuo.audit.verify import check_checkpoints as check

    try:
        report = check(data)
    except CheckpointFileError as exc:
        raise PolicyError(str(exc), file=file) from None
    for problem in report.problems:
        click.echo(problem.describe())
    if report.ok:
        click.echo(f"{report.checked} 个检查点全部与当前记录的链哈希吻合（记录内容由 rongcuo audit verify 校验）。")
        return
    click.echo(f"{report.checked} 个检查点中 {len(report.problems)} 个不符。")
    sys.exit(1)
