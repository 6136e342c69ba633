"""PSPLIB single-mode RCPSP instances (.sm) and their reference tables, as planning problems.

An instance is a project of jobs numbered from 1 (job 1 and the last job are dummies of
duration 0), each with a duration, its successors and a demand on every renewable
resource, whose capacity is constant over time. :func:`to_problem` states it as a
:class:`~planner.problem.PlanningProblem` of rigid activities serving one milestone due
before period 0, so the milestone's lateness is the makespan.

The published files are read where they are, never copied: the sets as zip archives
(``j30.sm.zip`` holds ``j301_1.sm`` …), the tables as text — ``j30opt.sm`` (optimum),
``j60hrs.sm`` (best known makespan), ``j60lb.sm`` (lower bounds, not for every instance).
Row (Parameter P, Instance I) of a set's table is instance ``<set><P>_<I>``.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from planner.problem import Milestone, PlanningProblem, Resource, RigidActivity

# Where the benchmark files sit in a development checkout: ../shared beside the repository.
DEFAULT_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "psplib"
PROJECT = "psplib"
MILESTONE = "makespan"

# The files predate UTF-8: author names in the tables are Latin-1.
_ENCODING = "latin-1"


class PsplibError(ValueError):
    """A file that is not a readable PSPLIB single-mode instance or table."""


@dataclass(frozen=True)
class Job:
    """A job: its number, duration, successors and demand on each renewable resource."""

    number: int
    duration: int
    successors: tuple[int, ...]
    demand: tuple[int, ...]


@dataclass(frozen=True)
class Instance:
    """A single-mode RCPSP instance: jobs 1..n, capacities of the renewable resources."""

    name: str
    jobs: tuple[Job, ...]
    capacities: tuple[int, ...]
    horizon: int

    def __post_init__(self) -> None:
        numbers = [job.number for job in self.jobs]
        if numbers != list(range(1, len(numbers) + 1)):
            raise PsplibError(f"{self.name}: jobs are not numbered 1..{len(numbers)}")
        for job in self.jobs:
            if len(job.demand) != len(self.capacities):
                raise PsplibError(
                    f"{self.name}: job {job.number} has {len(job.demand)} demands"
                    f" for {len(self.capacities)} resources"
                )
            unknown = [s for s in job.successors if not 1 <= s <= len(numbers)]
            if unknown:
                raise PsplibError(
                    f"{self.name}: job {job.number} precedes unknown job {unknown[0]}"
                )

    @property
    def resources(self) -> tuple[str, ...]:
        """The resource codes, ``R1`` … in the file's column order."""
        return tuple(f"R{k}" for k in range(1, len(self.capacities) + 1))

    def job(self, number: int) -> Job:
        """The job numbered ``number``."""
        return self.jobs[number - 1]

    def predecessors(self) -> dict[int, tuple[int, ...]]:
        """Each job's predecessors (the file lists successors), in increasing order."""
        before: dict[int, list[int]] = {job.number: [] for job in self.jobs}
        for job in self.jobs:
            for successor in job.successors:
                before[successor].append(job.number)
        return {number: tuple(sorted(jobs)) for number, jobs in before.items()}


def to_problem(instance: Instance) -> PlanningProblem:
    """The instance as rigid activities on constant-capacity resources, serving one
    milestone due at period -1 (its lateness is the makespan)."""
    horizon = max(sum(job.duration for job in instance.jobs), instance.horizon, 1)
    resources = tuple(
        Resource(code, frozenset(), (capacity,) * horizon, rate=0)
        for code, capacity in zip(instance.resources, instance.capacities, strict=True)
    )
    predecessors = instance.predecessors()
    activities = tuple(
        RigidActivity(
            code=str(job.number),
            project=PROJECT,
            duration=job.duration,
            # A zero demand constrains nothing: only the resources a job uses are listed.
            demand={
                code: units
                for code, units in zip(instance.resources, job.demand, strict=True)
                if units
            },
            predecessors=tuple(str(number) for number in predecessors[job.number]),
            milestone=MILESTONE,
        )
        for job in instance.jobs
    )
    return PlanningProblem(
        periods=tuple(str(period) for period in range(horizon)),
        resources=resources,
        activities=activities,
        milestones=(Milestone(MILESTONE, due=-1, priority=1),),
    )


def parse_instance(text: str, name: str = "") -> Instance:
    """Parse the text of a single-mode PSPLIB file (``.sm``)."""
    lines = text.splitlines()
    declared_jobs = _header_number(lines, "jobs")
    renewable = _header_number(lines, "- renewable")
    precedence = _section_rows(lines, "PRECEDENCE RELATIONS", name)
    requests = _section_rows(lines, "REQUESTS/DURATIONS", name)
    availability = _section_rows(lines, "RESOURCEAVAILABILITIES", name)
    if renewable is None:
        renewable = len(availability[0])
    capacities = tuple(availability[0][:renewable])
    if len(capacities) != renewable:
        raise PsplibError(f"{name}: {len(capacities)} capacities for {renewable} resources")
    if declared_jobs is not None and not declared_jobs == len(precedence) == len(requests):
        raise PsplibError(
            f"{name}: {declared_jobs} jobs declared, {len(precedence)} precedence rows"
            f" and {len(requests)} request rows"
        )
    successors: dict[int, tuple[int, ...]] = {}
    for row in precedence:
        if len(row) < 3 or len(row) != 3 + row[2]:
            raise PsplibError(f"{name}: malformed precedence row {row}")
        if row[1] != 1:
            raise PsplibError(f"{name}: job {row[0]} has {row[1]} modes (single-mode only)")
        successors[row[0]] = tuple(row[3:])
    jobs = []
    for row in sorted(requests):
        if len(row) < 3 + renewable or row[0] not in successors:
            raise PsplibError(f"{name}: malformed request row {row}")
        jobs.append(Job(row[0], row[2], successors[row[0]], tuple(row[3 : 3 + renewable])))
    horizon = _header_number(lines, "horizon") or 0
    return Instance(name=name, jobs=tuple(jobs), capacities=capacities, horizon=horizon)


def _header_number(lines: list[str], key: str) -> int | None:
    """The first integer after the colon of the header line starting with ``key``."""
    for line in lines:
        label, colon, value = line.partition(":")
        if colon and label.strip().lower().startswith(key):
            found = re.search(r"\d+", value)
            return int(found.group()) if found else None
    return None


def _section_rows(lines: list[str], title: str, name: str) -> list[list[int]]:
    """The all-integer rows following a section's title and headers, up to its end."""
    start = next((i for i, line in enumerate(lines) if line.strip().startswith(title)), None)
    if start is None:
        raise PsplibError(f"{name}: no {title} section")
    rows: list[list[int]] = []
    for line in lines[start + 1 :]:
        tokens = line.split()
        if tokens and all(token.isdigit() for token in tokens):
            rows.append([int(token) for token in tokens])
        elif rows or line.startswith(("*", "=")):  # the first other line ends the section
            break
    if not rows:
        raise PsplibError(f"{name}: empty {title} section")
    return rows


def read_instance(path: str | Path) -> Instance:
    """Read an instance from a ``.sm`` file, or from a member of a set's zip named as
    if the archive were a folder (``…/j30.sm.zip/j301_1.sm``)."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder, not an instance")
    if path.is_file():
        if zipfile.is_zipfile(path):
            raise PsplibError(f"{path} is a set of instances: name one inside it")
        return parse_instance(path.read_bytes().decode(_ENCODING), _instance_name(path.name))
    archive = next((parent for parent in path.parents if parent.is_file()), None)
    if archive is None:
        raise FileNotFoundError(f"no such file: {path}")
    return _read_member(archive, path.relative_to(archive).as_posix())


def load_instance(set_name: str, name: str, root: Path | None = None) -> Instance:
    """Read instance ``name`` (``j301_1``) out of ``<root>/<set_name>.sm.zip``."""
    return _read_member(_archive(set_name, root), name)


def instance_names(set_name: str, root: Path | None = None) -> list[str]:
    """The names of a set's instances, by parameter then instance number."""
    with _open_zip(_archive(set_name, root)) as archive:
        names = [_instance_name(member) for member in archive.namelist()]
    found = [n for n in names if re.fullmatch(rf"{re.escape(set_name)}\d+_\d+", n)]
    return sorted(found, key=lambda n: tuple(map(int, n[len(set_name) :].split("_"))))


def _archive(set_name: str, root: Path | None) -> Path:
    return (DEFAULT_ROOT if root is None else root) / f"{set_name}.sm.zip"


def _instance_name(file_name: str) -> str:
    return file_name.rsplit("/", 1)[-1].removesuffix(".sm")


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as bad:
        raise PsplibError(f"{path} is not a readable zip archive: {bad}") from None


def _read_member(path: Path, member: str) -> Instance:
    """Read the member whose file name is ``member`` (``.sm`` optional), in any folder."""
    wanted = _instance_name(member)
    with _open_zip(path) as archive:
        matches = [m for m in archive.namelist() if _instance_name(m) == wanted]
        if not matches:
            raise FileNotFoundError(f"no instance {wanted} in {path}")
        text = archive.read(matches[0]).decode(_ENCODING)
    return parse_instance(text, wanted)


def read_table(path: str | Path, column: str) -> dict[str, int]:
    """A reference table's ``column`` (``Makespan``, ``UB`` or ``LB``) by instance name;
    the set is the file name's prefix (``j60`` for ``j60lb.sm``)."""
    path = Path(path)
    prefix = re.match(r"j\d+", path.name)
    if prefix is None:
        raise PsplibError(f"{path.name} does not name a set (j30…, j120…)")
    lines = path.read_bytes().decode(_ENCODING).splitlines()
    start = next((i for i, line in enumerate(lines) if _is_header(line, column)), None)
    if start is None:
        raise PsplibError(f"{path.name} has no table with a {column} column")
    at = lines[start].split().index(column)
    values: dict[str, int] = {}
    for line in lines[start + 1 :]:
        tokens = line.split()
        if len(tokens) > at and all(tokens[i].isdigit() for i in (0, 1, at)):
            name = f"{prefix.group()}{int(tokens[0])}_{int(tokens[1])}"
            if name in values:
                raise PsplibError(f"{path.name} lists {name} twice")
            values[name] = int(tokens[at])
    return values


def _is_header(line: str, column: str) -> bool:
    """The column headers: ``Par``/``Paramter`` first, ``column`` among them."""
    tokens = line.split()
    return bool(tokens) and tokens[0].lower().startswith("par") and column in tokens


def optimum(set_name: str = "j30", root: Path | None = None) -> dict[str, int]:
    """Proven optimal makespans (``<set>opt.sm``, published for j30 only)."""
    return read_table((DEFAULT_ROOT if root is None else root) / f"{set_name}opt.sm", "Makespan")


def best_known(set_name: str, root: Path | None = None) -> dict[str, int]:
    """Best known makespans, upper bounds (``<set>hrs.sm``)."""
    return read_table((DEFAULT_ROOT if root is None else root) / f"{set_name}hrs.sm", "Makespan")


def lower_bounds(set_name: str, root: Path | None = None) -> dict[str, int]:
    """Published lower bounds of the instances that have one (``<set>lb.sm``)."""
    return read_table((DEFAULT_ROOT if root is None else root) / f"{set_name}lb.sm", "LB")


def reference(set_name: str, root: Path | None = None) -> dict[str, int]:
    """The makespan to compare with: the optimum where published, else the best known."""
    folder = DEFAULT_ROOT if root is None else root
    if (folder / f"{set_name}opt.sm").is_file():
        return optimum(set_name, folder)
    return best_known(set_name, folder)
