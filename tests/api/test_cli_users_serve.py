"""``keepwise users`` (add with the password on stdin, list, token printed once, revoke,
disable), ``--as-user`` (a rep's command sees only their customers) and ``keepwise serve``
(health without login, a token's request, the CLI's clear answer while the server holds the
DuckDB file)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from small import PASSWORD, make_small

from keepwise import Workspace


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None,
        ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return subprocess.run([sys.executable, "-m", "keepwise", *args], input=stdin,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "KEEPWISE_LANG": "en", **(env or {})})  # fmt: skip


def test_users_commands_and_as_user(tmp_path: Path) -> None:
    make_small(tmp_path / "ws").close()
    w = str(tmp_path / "ws")
    added = run("-w", w, "users", "add", "rep2", "--role", "rep", "--owner", "O2",
                "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    no_owner = run("-w", w, "users", "add", "x", "--role", "rep", "--password-stdin",
                   stdin=PASSWORD + "\n")  # fmt: skip
    assert no_owner.returncode == 2 and "needs --owner" in no_owner.stderr
    users = json.loads(run("-w", w, "users", "list", "--json").stdout)
    assert {u["username"]: u["role"] for u in users}["rep2"] == "rep"
    token = run("-w", w, "users", "token", "rep2", "--label", "ci")
    assert token.returncode == 0 and token.stdout.strip().startswith("kw_")
    ws = Workspace.open(tmp_path / "ws")
    try:
        assert ws.users.viewer_for_token(token.stdout.strip()).owner_id == "O2"
    finally:
        ws.close()
    revoked = run("-w", w, "users", "revoke", "rep2")
    assert revoked.returncode == 0 and "Revoked 1" in revoked.stdout
    mine = run("-w", w, "--as-user", "rep2", "drilldown", "active_customers", "2024-05-01",
               "--json")  # fmt: skip
    assert mine.returncode == 0, mine.stderr
    assert {r["customer_id"] for r in json.loads(mine.stdout)} <= {"C3", "C4"}
    assert run("-w", w, "users", "disable", "rep2").returncode == 0
    locked = run("-w", w, "--as-user", "rep2", "summary")
    assert locked.returncode == 2 and "disabled" in locked.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve(tmp_path: Path) -> None:
    ws = make_small(tmp_path / "ws")
    token = ws.users.create_token("manager", actor="test")
    ws.close()
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "keepwise", "-w", str(tmp_path / "ws"),
                               "serve", "--port", str(port), "--log-level", "warning"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90  # a loaded machine (the suite runs on every core)
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/health", timeout=2) as r:
                    assert json.load(r)["status"] == "ok"
                break
            except OSError:
                assert server.poll() is None, server.communicate()[0]
                assert time.monotonic() < deadline, "the server did not answer in 90 s"
                time.sleep(0.2)
        request = urllib.request.Request(f"{base}/api/customers",
                                         headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as r:
            assert json.load(r)["total"] == 5
        busy = run("-w", str(tmp_path / "ws"), "users", "add", "late", "--role", "manager",
                   "--password-stdin", stdin=PASSWORD + "\n",
                   env={"KEEPWISE_BUSY_TIMEOUT": "0.5"})  # fmt: skip
        assert busy.returncode == 2
        assert "in use by another Keepwise process" in busy.stderr and "serve" in busy.stderr
    finally:
        server.terminate()
        server.wait(timeout=30)
