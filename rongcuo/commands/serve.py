"""`rongcuo serve`: migrate, then run the service with gunicorn (or Django's development server)."""

from __future__ import annotations

import ipaddress
import os
import sys

import click

from rongcuo.commands import django_setup
from rongcuo.commands.common import friendly

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind_address(host: str, port: int) -> str:
    host = host.strip("[]")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def migrate_if_needed() -> None:
    """Apply pending migrations (none pending: touch nothing, so this is safe inside a transaction)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        django_setup.migrate()


def database_description() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite 文件 {db['NAME']}"
    where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    user = f"{db['USER']}@" if db.get("USER") else ""
    return f"PostgreSQL {user}{where}/{db['NAME']}"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="监听端口")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="gunicorn 工作进程数")
@click.option("--dev", is_flag=True, help="改用 Django 开发服务器（代码修改后自动重载，仅供开发）")
@click.option("--allow-remote", is_flag=True, help="允许监听非本机地址（内网部署时显式指定）")
@friendly
def serve(host: str, port: int, workers: int, dev: bool, allow_remote: bool) -> None:
    """迁移数据库并启动服务（默认 127.0.0.1:8000；数据库由 DATABASE_URL 指定，默认当前目录下的 SQLite 文件）。"""
    if not allow_remote and not is_loopback(host):
        click.echo(
            f"rongcuo: 监听地址 {host} 不是本机地址，服务将对网络开放；确需内网访问时请加 --allow-remote",
            err=True,
        )
        sys.exit(2)
    django_setup.setup()
    migrate_if_needed()
    from django.db import connections

    connections.close_all()  # the server's processes open their own
    address = bind_address(host, port)
    if os.environ.get("RUN_MAIN") != "true":  # runserver's reloading child runs this again: say it once
        _announce(host, address)
    if dev:
        from django.core.management import call_command

        call_command("runserver", address)
        return
    os.execv(sys.executable, gunicorn_args(address, workers))


# gunicorn answers a request line or header field past its limits with its own HTML page; its limits are set
# to the largest it takes so that such requests reach Django, which answers /api/ paths with JSON 414 past
# settings.RONGCUO_MAX_REQUEST_LINE (rongcuo/core/middleware.py, docs/deployment.md).
LIMIT_REQUEST_LINE = 8190  # gunicorn's maximum (a larger value is cut to it; 0 would mean unbounded)
LIMIT_REQUEST_FIELD_SIZE = 16380


def gunicorn_args(address: str, workers: int) -> list[str]:
    args = [sys.executable, "-m", "gunicorn", "rongcuo.wsgi:application"]
    args += ["--bind", address, "--workers", str(workers), "--access-logfile", "-"]
    args += ["--limit-request-line", str(LIMIT_REQUEST_LINE)]
    args += ["--limit-request-field_size", str(LIMIT_REQUEST_FIELD_SIZE)]
    if _gunicorn_has("control_socket_disable"):
        # gunicorn ≥ 24 opens a control socket at one path per user: several instances would collide.
        args.append("--no-control-socket")
    return args


def _announce(host: str, address: str) -> None:
    from django.conf import settings

    click.echo(f"数据库：{database_description()}")
    click.echo(f"服务地址：http://{address}/  （接口说明 http://{address}/api/docs）")
    if not is_loopback(host) and "*" not in settings.ALLOWED_HOSTS:
        hosts = ",".join(settings.ALLOWED_HOSTS)
        click.echo(f"提示：按主机名或内网地址访问时，须在 RONGCUO_ALLOWED_HOSTS 中列出（当前：{hosts}）")
    sys.stdout.flush()


def _gunicorn_has(setting: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(s.name == setting for s in KNOWN_SETTINGS)
