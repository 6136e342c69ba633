"""`pmo audit checkpoint` and `pmo audit verify` on a SQLite ledger."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from tests.api.cli import TRANSFER, ok, pmo, stderr_lines


def test_a_checkpoint_is_signed_with_a_key_created_beside_the_ledger(
    payments: str, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "cp.json"

    ok(pmo("audit", "checkpoint", "--database", payments, "--output", str(checkpoint)))

    document = json.loads(checkpoint.read_text())
    assert document["size"] == len(json.loads(ok(pmo("events", "-d", payments,
                                                     "--format", "json")).stdout))  # fmt: skip
    assert len(document["signature"]) == 128
    key = Path(f"{payments}.key")
    assert oct(os.stat(key).st_mode & 0o777) == "0o600"


def test_verify_passes_on_a_ledger_that_grew_since_its_checkpoint(
    payments: str, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "cp.json"
    ok(pmo("audit", "checkpoint", "-d", payments, "-o", str(checkpoint)))
    ok(pmo(*TRANSFER, "--amount", "1000", "--database", payments))

    result = ok(pmo("audit", "verify", "-d", payments, "--checkpoint", str(checkpoint), "--json"))

    found = json.loads(result.stdout)
    assert (found["intact"], found["problems"]) == (True, [])


def test_verify_exits_non_zero_naming_the_first_altered_position(
    payments: str, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "cp.json"
    ok(pmo("audit", "checkpoint", "-d", payments, "-o", str(checkpoint)))
    with sqlite3.connect(payments) as conn:
        conn.execute("DROP TRIGGER stored_events_no_update")
        conn.execute("UPDATE stored_events SET state = state || x'20' WHERE rowid = 3")

    result = pmo("audit", "verify", "-d", payments, "-c", str(checkpoint))

    assert result.exit_code == 3
    assert stderr_lines(result)[0].startswith("altered: position 3: the event does not match")


def test_a_checkpoint_file_that_is_not_one_is_refused(payments: str, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text("{}")

    result = pmo("audit", "verify", "-d", payments, "-c", str(bogus))

    assert result.exit_code == 2
    assert "not a ledger checkpoint" in stderr_lines(result)[0]
