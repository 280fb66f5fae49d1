"""`rongcuo serve`: loopback only unless told otherwise; a real start answers the OpenAPI document."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from rongcuo.cli import main
from rongcuo.commands.serve import bind_address, is_loopback

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
