"""``partnernet keys``, run as a user would: in subprocesses, against a temporary embedded
store."""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

from graph import keys
from graph.embedded import EmbeddedStore
from graph.keys import Role
from graph.store import authenticate
from tests.test_cli import run

TOKEN = re.compile(r"pn_[0-9a-f]{16}_[A-Za-z0-9_-]{43}")


def create(tmp_path: Path, name: str, role: str = "viewer") -> tuple[str, str]:
    """(token, key id) of a new key."""
    proc = run(tmp_path, "keys", "create", "--role", role, "--name", name)
    assert TOKEN.fullmatch(proc.stdout.rstrip("\n")), proc.stdout
    token = proc.stdout.strip()
    return token, token[3:19]


def listing(tmp_path: Path) -> list[list[str]]:
    """Rows of ``keys list`` (header first), split on runs of two or more spaces."""
    out = run(tmp_path, "keys", "list").stdout
    return [re.split(r"\s{2,}", line.strip()) for line in out.splitlines()]


def stored_bytes(tmp_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("cli.db"))


def assert_one_error_line(proc: subprocess.CompletedProcess[str], command: str) -> str:
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith(f"partnernet {command}: error: ")
    return lines[0]


def test_help_lists_the_key_commands(tmp_path: Path) -> None:
    assert "keys" in run(tmp_path, "--help").stdout
    out = run(tmp_path, "keys", "--help").stdout
    for word in ("create", "list", "revoke", "viewer", "analyst", "editor", "admin"):
        assert word in out
    assert "--role" in run(tmp_path, "keys", "create", "--help").stdout


def test_create_prints_the_key_once_and_stores_only_its_hash(tmp_path: Path) -> None:
    proc = run(tmp_path, "keys", "create", "--role", "ADMIN", "--name", "ops laptop")
    token = proc.stdout
    assert TOKEN.fullmatch(token.rstrip("\n")) and token.endswith("\n") and token.count("\n") == 1
    token = token.strip()
    key_id = token[3:19]
    assert key_id in proc.stderr and "only this once" in proc.stderr and token not in proc.stderr
    rows = listing(tmp_path)
    assert rows[0] == ["id", "name", "role", "created", "revoked"]
    assert rows[1][:3] == [key_id, "ops laptop", "admin"] and rows[1][4] == "-"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rows[1][3])
    secret = token[20:]
    data = stored_bytes(tmp_path)
    assert key_id.encode() in data
    assert secret.encode() not in data and secret[:16].encode() not in data
    shown = run(tmp_path, "keys", "list")
    assert secret not in shown.stdout + shown.stderr and "hmac-sha256" not in shown.stdout


def test_revoke_by_name_or_id(tmp_path: Path) -> None:
    _, ops = create(tmp_path, "ops", "editor")
    _, other = create(tmp_path, "dashboards")
    proc = run(tmp_path, "keys", "revoke", "ops")
    assert proc.stdout.startswith(f"revoked API key {ops} ('ops', role editor) at ")
    rows = {row[0]: row for row in listing(tmp_path)[1:]}
    assert rows[ops][4] != "-" and rows[other][4] == "-"
    again = run(tmp_path, "keys", "revoke", ops)  # by id: idempotent
    assert again.returncode == 0 and "already revoked" in again.stderr and again.stdout == ""
    by_name = run(tmp_path, "keys", "revoke", "ops", check=False)
    line = assert_one_error_line(by_name, "keys revoke")
    assert "'ops'" in line and "1 revoked key(s) have that name" in line
    _, reused = create(tmp_path, "ops", "viewer")  # a revoked key's name is free again
    run(tmp_path, "keys", "revoke", other)
    rows = {row[0]: row for row in listing(tmp_path)[1:]}
    assert set(rows) == {ops, other, reused} and rows[reused][4] == "-"
    assert rows[other][4] != "-"


def test_bad_input_is_one_line_and_exit_1(tmp_path: Path) -> None:
    bad_role = run(tmp_path, "keys", "create", "--role", "root", "--name", "x", check=False)
    line = assert_one_error_line(bad_role, "keys create")
    assert "unknown role 'root'" in line and "viewer, analyst, editor, admin" in line
    assert not (tmp_path / "cli.db").exists()  # refused before the store was opened
    bad_name = run(tmp_path, "keys", "create", "--role", "viewer", "--name", " ", check=False)
    assert "--name: must not be empty" in assert_one_error_line(bad_name, "keys create")
    unknown = run(tmp_path, "keys", "revoke", "0123456789abcdef", check=False)
    assert "no API key has the id or active name" in assert_one_error_line(unknown, "keys revoke")
    create(tmp_path, "grafana")
    clash = run(tmp_path, "keys", "create", "--role", "admin", "--name", "grafana", check=False)
    assert "already named 'grafana'" in assert_one_error_line(clash, "keys create")
    assert len(listing(tmp_path)) == 2


def test_empty_list_says_so_on_stderr(tmp_path: Path) -> None:
    proc = run(tmp_path, "keys", "list")
    assert proc.stdout == "" and "no API keys in" in proc.stderr


def test_refused_while_another_process_holds_the_store(tmp_path: Path) -> None:
    async def hold() -> subprocess.CompletedProcess[str]:
        store = EmbeddedStore(tmp_path / "cli.db")
        await store.open()
        try:
            return await asyncio.to_thread(run, tmp_path, "keys", "list", check=False)
        finally:
            await store.close()

    line = assert_one_error_line(asyncio.run(hold()), "keys list")
    assert "in use by another process" in line


def test_keys_are_not_graph_data_and_authenticate(tmp_path: Path) -> None:
    """Seeding, exporting and importing neither show nor touch keys, key commands leave the
    revision alone, and the printed token authenticates through ``graph.store.authenticate``."""
    token, key_id = create(tmp_path, "bi tool", "analyst")
    seeded = run(tmp_path, "seed").stdout
    assert "(revision 1)" in seeded
    create(tmp_path, "temporary")
    run(tmp_path, "keys", "revoke", "temporary")
    assert "nothing changed in" in (again := run(tmp_path, "seed").stdout)
    assert "(revision 1)" in again
    out = tmp_path / "export.jsonl"
    run(tmp_path, "export", str(out))
    text = out.read_text()
    assert key_id not in text and "pn_" not in text and "hmac" not in text
    assert "0 nodes and 0 relationships changed" in run(tmp_path, "import", str(out)).stdout

    async def check() -> None:
        store = EmbeddedStore(tmp_path / "cli.db")
        await store.open()
        try:
            record = await authenticate(store, token)
            assert record is not None and record.id == key_id and record.role is Role.ANALYST
            assert keys.parse_presented(token) == (key_id, token[20:])
            assert (
                await authenticate(store, token[:-1] + ("x" if token[-1] != "x" else "y")) is None
            )
            assert await store.revision() == 1
        finally:
            await store.close()

    asyncio.run(check())
