"""`pmo plan psplib` end to end on a published PSPLIB instance read from ../shared."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.api.cli import ok, pmo, stderr_lines

PSPLIB = Path(__file__).parents[2].parent / "shared" / "benchmarks" / "psplib"
J301_1 = PSPLIB / "j30.sm.zip" / "j301_1.sm"
J301_1_OPTIMUM = 43  # j30opt.sm, Parameter 1, Instance 1


@pytest.fixture(scope="module", autouse=True)
def _benchmark_files() -> None:
    if not (PSPLIB / "j30.sm.zip").is_file():
        pytest.fail(f"the PSPLIB files are expected in {PSPLIB} (../shared beside the repository)")


def test_json_output_gives_the_optimal_makespan_and_every_jobs_start() -> None:
    result = ok(pmo("plan", "psplib", str(J301_1), "--json", "--time-limit", "10"))

    document = json.loads(result.stdout)
    assert set(document) == {"instance", "status", "makespan", "lower_bound", "starts",
                             "runtime_s"}  # fmt: skip
    assert document["instance"] == "j301_1"
    assert document["status"] == "optimal"
    assert document["makespan"] == document["lower_bound"] == J301_1_OPTIMUM
    assert list(document["starts"]) == [str(job) for job in range(1, 33)]
    assert document["starts"]["1"] == 0
    assert document["starts"]["32"] == J301_1_OPTIMUM  # the end dummy starts at the end
    assert 0 <= document["runtime_s"] < 60


def test_an_extracted_instance_file_is_solved_the_same(tmp_path: Path) -> None:
    extracted = tmp_path / "j301_1.sm"
    with zipfile.ZipFile(PSPLIB / "j30.sm.zip") as archive:
        extracted.write_bytes(archive.read("j301_1.sm"))

    document = json.loads(ok(pmo("plan", "psplib", str(extracted), "--json")).stdout)

    assert document["makespan"] == J301_1_OPTIMUM


def test_without_json_a_short_table_is_printed() -> None:
    output = ok(pmo("plan", "psplib", str(J301_1))).stdout

    assert "j301_1" in output
    assert "optimal" in output
    assert str(J301_1_OPTIMUM) in output


@pytest.mark.parametrize(
    ("path", "says"),
    [
        (PSPLIB / "j30.sm.zip" / "j3099_1.sm", "no instance j3099_1"),
        (PSPLIB / "missing.sm", "no such file"),
        (PSPLIB / "README.md", "no PRECEDENCE RELATIONS section"),
    ],
)
def test_a_missing_or_unreadable_file_is_refused_in_one_line(path: Path, says: str) -> None:
    result = pmo("plan", "psplib", str(path), "--json")

    assert result.exit_code == 2, result.output
    (line,) = stderr_lines(result)
    assert says in line
    assert result.stdout == ""
