"""`rongcuo serve`: loopback only unless told otherwise; a real start answers the OpenAPI document."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from rongcuo.cli import main
from rongcuo.commands.serve import bind_address, gunicorn_args, is_loopback

RONGCUO = Path(sys.executable).with_name("rongcuo")


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_remote_host_refused_without_allow_remote(host: str) -> None:
    result = CliRunner().invoke(main, ["serve", "--host", host])
    assert result.exit_code == 2
    assert "不是本机地址" in result.output and "--allow-remote" in result.output


def test_loopback_names() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "10.0.0.1", "::", "intranet"))
    assert bind_address("::1", 8000) == "[::1]:8000"
    assert bind_address("127.0.0.1", 80) == "127.0.0.1:80"


def test_gunicorn_limits_let_long_request_lines_reach_django() -> None:
    args = gunicorn_args("127.0.0.1:8000", 2)
    line = int(args[args.index("--limit-request-line") + 1])
    field = int(args[args.index("--limit-request-field_size") + 1])
    assert line == 8190 and field >= 8190  # gunicorn's maximum line; Django answers past 4094 (JSON 414)
    from gunicorn.config import Config

    parsed = Config().parser().parse_args(args[4:])  # gunicorn's own parser: a misspelt option would stop it
    assert parsed.limit_request_line == 8190 and parsed.limit_request_field_size == field


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_starts_and_answers(tmp_path: Path) -> None:
    port = free_port()
    db = tmp_path / "served.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "RONGCUO_DATA_DIR": str(tmp_path / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen(
        [str(RONGCUO), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path
    )
    url = f"http://127.0.0.1:{port}/api/openapi.json"
    try:
        deadline = time.monotonic() + 60
        status, body = None, b""
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"serve exited with {proc.returncode}: {Path(log.name).read_text()}"
            try:
                with urllib.request.urlopen(url, timeout=20) as resp:
                    status, body = resp.status, resp.read()
                    break
            except OSError:  # not listening yet (URLError), or the first request still loading (timeout)
                time.sleep(0.5)
        assert status == 200, f"no answer from {url} in 60 s: {Path(log.name).read_text()}"
        assert "openapi" in json.loads(body)
        # A request line past the API's limit but within gunicorn's reaches Django: JSON 414, not gunicorn's HTML.
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/cases?q={'x' * 6000}", timeout=20)
            raise AssertionError("a 6000-byte request line was accepted")
        except urllib.error.HTTPError as refused:
            assert refused.code == 414 and refused.headers["Content-Type"].startswith("application/json")
            assert "请求地址过长" in json.loads(refused.read())["message"]
        assert db.exists()  # migrated into the database DATABASE_URL names
        out = Path(log.name).read_text()
        assert f"http://127.0.0.1:{port}/" in out and str(db) in out
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
