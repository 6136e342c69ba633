"""``state(as_of, known_at)``: the portfolio, or one perimeter, programme or project.

Each section is a filter of one step table (see ``bitemporal``), decoded into columns
(``projections.columns``): entity codes (perimeter, programme, project, resource),
other texts, dates, instants, money in euros and person-days as floats (exact: they are
whole hundredths), enums by their value. Rows are sorted by their natural key. A
perimeter, programme or project scope reads only its projects' rows (the step tables keep
an index by project and by resource).

A section becomes a DataFrame (``portfolio_state``: what the KPIs compute on; entity
codes as pandas categoricals whose categories are the codes in force, in alphabetical
order; dates as ``datetime64``) or JSON-ready rows with no DataFrame on the way
(``state_rows``: what an API answer encodes, the same cells as the frame's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from domain.enums import Skill
from domain.errors import UnknownEntity
from projections.bitemporal import Columns, StepTable
from projections.columns import (
    Categories,
    Dates,
    Instants,
    Labels,
    Section,
    SectionColumns,
    Strings,
    Texts,
)
from projections.projector import Projector
from projections.reads import Reads, Recording
from projections.tables import CODED, NONE, members

Ints = npt.NDArray[np.int64]
SECTIONS = (
    "perimeters",
    "programmes",
    "projects",
    "milestones",
    "milestone_moves",
    "envelopes",
    "resources",
    "capacity",
    "absences",
    "rates",
    "staffing",
    "actuals",
    "timesheets",
    "backlog",
    "backlog_effort",
    "dependencies",
    "demands",
    "risks",
)
SCOPE_KINDS = ("portfolio", "perimeter", "programme", "project")
StateRows = dict[str, list[dict[str, Any]]]
"""A state's sections as JSON-ready rows (:func:`state_rows`)."""


@dataclass(frozen=True)
class Scope:
    """What a state covers: the whole portfolio, or a perimeter, programme or project."""

    kind: str = "portfolio"
    code: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in SCOPE_KINDS:
            raise ValueError(f"a scope is one of {', '.join(SCOPE_KINDS)}, not {self.kind!r}")
        if (self.kind == "portfolio") != (self.code is None):
            raise ValueError("a perimeter, programme or project scope names one; a portfolio not")

    def __str__(self) -> str:
        return self.kind if self.code is None else f"{self.kind} {self.code}"


@dataclass(frozen=True)
class PortfolioState:
    """The portfolio (or part of it) in force on ``as_of`` as known at ``known_at``."""

    as_of: date
    known_at: datetime
    scope: Scope
    sections: dict[str, pd.DataFrame]
    derived: dict[tuple[Any, ...], Any] = field(default_factory=dict, compare=False, repr=False)
    """What functions of this state computed from it, by their key (:meth:`derive`)."""

    def __getitem__(self, section: str) -> pd.DataFrame:
        return self.sections[section]

    def derive(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        """``build()``, computed once per state for ``key``: a figure that several KPIs
        read (the project budget of the RAG and of the budget KPI) is computed once when
        they are computed from one state. What it returns is shared: never change it."""
        if key not in self.derived:
            self.derived[key] = build()
        return self.derived[key]


def ordinal(day: date) -> int:
    """A date as the view's integer."""
    return day.toordinal()


def micros(moment: datetime) -> int:
    """An instant as the view's integer (microseconds since 1970, UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def instant_of(microseconds: int) -> datetime:
    """The view's integer as an instant (UTC)."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=microseconds)


def portfolio_state(
    projector: Projector,
    as_of: date,
    known_at: datetime,
    scope: Scope | None = None,
    sections: Iterable[str] = SECTIONS,
) -> PortfolioState:
    """The sections of the state in force on ``as_of`` as known at ``known_at``."""
    scope = scope or Scope()
    wanted = list(sections)
    found = _sections(projector, as_of, known_at, scope, wanted)
    return PortfolioState(as_of, known_at, scope, {n: s.frame() for n, s in found.items()})


def state_rows(
    projector: Projector,
    as_of: date,
    known_at: datetime,
    scope: Scope | None = None,
    sections: Iterable[str] = SECTIONS,
) -> StateRows:
    """The same sections as :func:`portfolio_state`, as JSON-ready rows (the cells its
    frames read as, ``api.export``), made without a DataFrame: what an answer encodes."""
    rows, _ = state_rows_read(projector, as_of, known_at, scope, sections)
    return rows


def state_rows_read(
    projector: Projector,
    as_of: date,
    known_at: datetime,
    scope: Scope | None = None,
    sections: Iterable[str] = SECTIONS,
) -> tuple[StateRows, Reads]:
    """:func:`state_rows`, and what the query read of the tables (``Reads``: whether
    the rows still hold after more events)."""
    scope = scope or Scope()
    recording = Recording(projector.tables)
    found = _sections(projector, as_of, known_at, scope, list(sections), True, recording)
    return {name: section.rows() for name, section in found.items()}, recording.reads()


def _sections(
    projector: Projector,
    as_of: date,
    known_at: datetime,
    scope: Scope,
    wanted: list[str],
    rows: bool = False,
    recording: Recording | None = None,
) -> dict[str, Section]:
    unknown = sorted(set(wanted) - set(SECTIONS))
    if unknown:
        raise ValueError(f"no section {', '.join(unknown)}; there are {', '.join(SECTIONS)}")
    query = _Query(projector, ordinal(as_of), micros(known_at), scope, rows, recording)
    return {name: getattr(query, name)() for name in wanted}


# -- decoding ---------------------------------------------------------------------------


def texts_of(projector: Projector) -> npt.NDArray[np.object_]:
    """The labels as an object array, one more slot (None) for ``NONE``; kept between
    queries and extended as labels are added.

    The array is a view of a buffer with room to grow (doubled when full): a few labels
    recorded copy only themselves, not the million before them (a copy, reference counts
    and all, took ~10 ms on the million-event demo, for every query after each write).
    A view handed out before more labels came has its last slot overwritten: queries and
    catch-ups take turns (the view's lock), and none keeps it past its own query.
    """
    cache = projector.query_cache
    found: tuple[npt.NDArray[np.object_], int] | None = cache.get("texts")
    labels = projector.labels.texts
    count = len(labels)
    if found is not None and found[1] == count:
        return found[0][: count + 1]
    buffer, known = found if found is not None else (np.empty(0, dtype=object), 0)
    if len(buffer) < count + 1:
        grown = np.empty(max(2 * len(buffer), count + 1), dtype=object)
        grown[:known] = buffer[:known]
        buffer = grown
    buffer[known:count] = labels[known:count]
    buffer[count] = None
    cache["texts"] = (buffer, count)
    return buffer[: count + 1]


def amounts(hundredths: Ints) -> npt.NDArray[np.float64]:
    """Hundredths (cents, hundredths of a day) as floats."""
    return hundredths / 100.0


_ENUMS = {name: Categories([str(m.value) for m in members(e)]) for name, e in CODED.items()}
_SKILLS = [str(s.value) for s in Skill]
_SKILL_NAMES = Categories(_SKILLS)
_MOVES = Categories(["planned", "shifted", "reached", "cancelled"])


def coded(name: str, codes: Ints) -> Labels:
    """Enum codes as the enum's values (categories in declaration order)."""
    return _ENUMS[name].labels(np.where(codes < 0, -1, codes))


def skill_names(masks: Ints) -> Strings:
    """Skill bitmasks as comma-separated names."""
    names = [",".join(n for i, n in enumerate(_SKILLS) if mask >> i & 1) for mask in masks.tolist()]
    return Strings(np.array(names, dtype=object))


def _at(values: Ints, ids: Ints, missing: int) -> Ints:
    """``values`` at each of ``ids``, ``missing`` where an id is negative or past them
    (a lookup by label id made before that label was added)."""
    inside = (ids >= 0) & (ids < len(values))
    return np.where(inside, values[np.where(inside, ids, 0)], missing)


class _Codes(Categories):
    """The codes of a kind's entities in alphabetical order, and each id's place there."""

    def rank(self, ids: Ints) -> Ints:
        """Each id's place among the codes (-1 where absent or unknown)."""
        raise NotImplementedError

    def codes(self, ids: Ints) -> Labels:
        """The ids as their codes."""
        return self.labels(self.rank(ids))


class _Dim(_Codes):
    """One kind of entity in force at the query's dates: label ids to their codes."""

    def __init__(
        self, ids: Ints, codes: Ints, texts: npt.NDArray[np.object_], place: Ints, count: int
    ) -> None:
        # ``place``: each entity's place among every code of its kind (``count`` of
        # them) in alphabetical order, by label id; ``count`` for other labels.
        places = _at(place, ids, count)
        order = np.argsort(places, kind="stable")
        super().__init__(texts[codes[order]])
        self.ids = ids[order]
        self._place = place
        self._local = np.full(count + 1, -1, dtype=np.int64)
        self._local[places[order]] = np.arange(len(order))

    def rank(self, ids: Ints) -> Ints:
        """Each id's place in code order (-1 where unknown or absent)."""
        return np.where(ids >= 0, self._local[_at(self._place, ids, len(self._local) - 1)], -1)

    def find(self, code: str) -> int | None:
        """The id of the entity with ``code`` (case-insensitive)."""
        wanted = code.upper()
        for index, known in enumerate(self.names.tolist()):
            if known.upper() == wanted:
                return int(self.ids[index])
        return None


class _Alphabet(_Codes):
    """Every entity of a kind ever registered, its codes in alphabetical order: what a
    section read as rows needs of a dimension (a code for each id, and their order),
    without selecting the entities in force (a frame's categories are those; rows only
    name the ids they hold, and order them alike)."""

    def __init__(self, place: Ints, ordered: npt.NDArray[np.object_]) -> None:
        super().__init__(ordered)
        self._place = place

    def rank(self, ids: Ints) -> Ints:
        """Each id's place in code order (-1 where absent, or not one of the kind's)."""
        places = _at(self._place, ids, len(self.names))
        return np.where(places < len(self.names), places, -1)


_DIMS = {
    "perimeter": ("perimeters", "perimeter"),
    "programme": ("programmes", "programme"),
    "project": ("projects", "project"),
    "resource": ("resources", "resource"),
}


def _keep(rows: Columns, mask: npt.NDArray[np.bool_]) -> Columns:
    return {name: column[mask] for name, column in rows.items()}


def _sums(keys: Ints, values: Ints, wanted: Ints) -> Ints:
    """The sum of ``values`` by key, for each of ``wanted`` (0 where there is none)."""
    if not len(keys):
        return np.zeros(len(wanted), dtype=np.int64)
    found, at = np.unique(keys, return_inverse=True)
    sums = np.bincount(at.reshape(-1), weights=values).astype(np.int64)  # whole: exact
    place = np.minimum(np.searchsorted(found, wanted), len(found) - 1)
    return np.where(found[place] == wanted, sums[place], 0)


class _Query:
    """One state query: its dates, the ids its scope covers, one method per section."""

    def __init__(
        self,
        projector: Projector,
        as_of: int,
        known_at: int,
        scope: Scope,
        rows: bool = False,
        recording: Recording | None = None,
    ) -> None:
        self.p = projector
        # Sections read the tables through ``recording`` when given (what an answer read,
        # to know whether it still holds after more events: ``projections.reads``).
        self.tables: Mapping[str, StepTable] | Recording = (
            projector.tables if recording is None else recording
        )
        self.as_of, self.known_at = as_of, known_at
        self.texts = texts_of(projector)
        self.scope = scope
        self.rows = rows
        self._dims: dict[str, _Dim] = {}
        self.in_projects, self.in_programmes, self.in_perimeters = self._scope_ids()

    # -- helpers ----------------------------------------------------------------------

    def dim(self, kind: str, *referred: Ints) -> _Dim | _Alphabet:
        """The entities of ``kind`` in force on ``as_of``, widened to the ``referred`` ids.

        A row in force may refer to an entity whose own registration takes effect later:
        the timesheet of the week a person joined starts on the Monday before. Such an
        entity is still named; later sections of the query share the widened dimension.
        A query for rows names every id it is given in the same order (``_Alphabet``).
        """
        if self.rows:
            return self._alphabetical(kind)[3]
        return self._in_force(kind, *referred)

    def _in_force(self, kind: str, *referred: Ints) -> _Dim:
        found = self._dims.get(kind)
        if found is None:
            table, key = _DIMS[kind]
            rows = self.tables[table].select(self.as_of, self.known_at)
            place, count, _, _ = self._alphabetical(kind)
            found = _Dim(rows[key], rows["code"], self.texts, place, count)
            self._dims[kind] = found
        for ids in referred:
            missing = ids[(ids >= 0) & (found.rank(ids) < 0)]
            if len(missing):
                place, count, code_of, _ = self._alphabetical(kind)
                wider = np.concatenate([found.ids, np.unique(missing)])
                found = _Dim(wider, _at(code_of, wider, -1), self.texts, place, count)
                self._dims[kind] = found
        return found

    def name(self, kind: str, ids: Ints) -> Labels:
        """The ids of entities of ``kind`` as a categorical of their codes."""
        return self.dim(kind, ids).codes(ids)

    def _alphabetical(self, kind: str) -> tuple[Ints, int, Ints, _Alphabet]:
        """Each entity's place in the alphabetical order of its kind's codes, the number
        of them, and its code's label, by label id; and the kind's alphabet. Kept
        between queries until the kind's table grows (labels added since, which name no
        entity of the kind, are looked up as absent: ``_at``); rebuilt after every label,
        it cost ~10 ms after each write on the million-event demo.

        Not a read of what an answer shows (``self.p.tables``, not noted): an entity's
        code is its first row's, which never changes, and a code added to the kind
        leaves the others' order as it was; the rows name only the ids they hold."""
        table_name, key = _DIMS[kind]
        table = self.p.tables[table_name]
        version = len(table)
        cached = self.p.query_cache.get(f"alphabetical:{kind}")
        if cached is not None and cached[0] == version:
            return cached[1]  # type: ignore[no-any-return]
        ids, first = np.unique(table.column(key), return_index=True)
        codes = table.column("code")[first]
        names = self.texts[codes].astype(str)
        order = np.argsort(names, kind="stable")
        place = np.full(len(self.texts), len(ids), dtype=np.int64)
        place[ids[order]] = np.arange(len(ids))
        code_of = np.full(len(self.texts), -1, dtype=np.int64)
        code_of[ids] = codes
        found = (place, len(ids), code_of, _Alphabet(place, self.texts[codes[order]]))
        self.p.query_cache[f"alphabetical:{kind}"] = (version, found)
        return found

    def text(self, ids: Ints) -> Texts:
        return Texts(self.texts, ids)

    def select(
        self,
        table: str,
        where: dict[str, Iterable[int]] | None = None,
        partitions: Iterable[int] | None = None,
    ) -> Columns:
        return self.tables[table].select(self.as_of, self.known_at, where, partitions)

    def by_project(self, table: str) -> Columns:
        """A table's rows, only the scope's projects' when scoped (by the index)."""
        if self.in_projects is None:
            return self.select(table)
        return self.select(table, partitions=self.in_projects.tolist())

    def _scope_ids(self) -> tuple[Ints | None, Ints | None, Ints | None]:
        """The projects, programmes and perimeters of the scope (None: all of them)."""
        scope = self.scope
        if scope.code is None:
            return None, None, None
        found = self._in_force(scope.kind).find(scope.code)
        if found is None:
            raise UnknownEntity(scope.kind, scope.code)
        # Which projects and programmes the scope holds comes from the projector's maps,
        # written when a programme or a project opens, with its table's row: a read of
        # both tables whole.
        if isinstance(self.tables, Recording):
            self.tables.note("programmes", None)
            self.tables.note("projects", None)
        programme_of, perimeter_of = self.p.programme_of, self.p.perimeter_of
        if scope.kind == "project":
            projects = [found]
            programmes = [programme_of.get(found, NONE)]
        elif scope.kind == "programme":
            projects = self._projects_by_programme().get(found, [])
            programmes = [found]
        else:
            programmes = [
                pg for pg, pe in perimeter_of.items() if pe == found and pg not in programme_of
            ]
            chosen = set(programmes)
            projects = [pr for pr, pg in programme_of.items() if pg in chosen]
        perimeters = [found] if scope.kind == "perimeter" else [perimeter_of.get(found, NONE)]
        return (
            np.array(projects, dtype=np.int64),
            np.array(programmes, dtype=np.int64),
            np.array(perimeters, dtype=np.int64),
        )

    def _projects_by_programme(self) -> dict[int, list[int]]:
        """Each programme's projects, kept between queries until the next event."""
        version = (self.p.position, len(self.p.programme_of))
        cached = self.p.query_cache.get("projects_by_programme")
        if cached is not None and cached[0] == version:
            return cached[1]  # type: ignore[no-any-return]
        found: dict[int, list[int]] = {}
        for project, programme in self.p.programme_of.items():
            found.setdefault(programme, []).append(project)
        self.p.query_cache["projects_by_programme"] = (version, found)
        return found

    @cached_property
    def resources_in_scope(self) -> Ints | None:
        """The resources staffed on the scope's projects (None: all of them)."""
        if self.in_projects is None:
            return None
        staffed = self.by_project("staffing")
        return np.unique(staffed["resource"][staffed["days"] > 0])

    def by_resource(self, table: str) -> Columns:
        resources = self.resources_in_scope
        if resources is None:
            return self.select(table)
        return self.select(table, partitions=resources.tolist())

    # -- sections ---------------------------------------------------------------------

    def perimeters(self) -> Section:
        where = None if self.in_perimeters is None else {"perimeter": self.in_perimeters.tolist()}
        rows = self.select("perimeters", where)
        dim = self.dim("perimeter")
        columns: SectionColumns = {
            "perimeter": dim.codes(rows["perimeter"]),
            "name": self.text(rows["name"]),
        }
        return Section(columns, [dim.rank(rows["perimeter"])])

    def programmes(self) -> Section:
        where = None if self.in_programmes is None else {"programme": self.in_programmes.tolist()}
        rows = self.select("programmes", where)
        dim = self.dim("programme")
        columns: SectionColumns = {
            "programme": dim.codes(rows["programme"]),
            "name": self.text(rows["name"]),
            "perimeter": self.name("perimeter", rows["perimeter"]),
        }
        return Section(columns, [dim.rank(rows["programme"])])

    def projects(self) -> Section:
        where = None if self.in_projects is None else {"project": self.in_projects.tolist()}
        rows = self.select("projects", where)
        dim = self.dim("project")
        columns: SectionColumns = {
            "project": dim.codes(rows["project"]),
            "name": self.text(rows["name"]),
            "programme": self.name("programme", rows["programme"]),
            "perimeter": self.name("perimeter", rows["perimeter"]),
            "start": Dates(rows["start"]),
            "end": Dates(rows["end"]),
            "status": coded("status", rows["status"]),
        }
        return Section(columns, [dim.rank(rows["project"])])

    def milestones(self) -> Section:
        rows = self.by_project("milestones")
        reached = rows["reached_on"]
        baseline, forecast = rows["baseline"], rows["forecast"]
        slip = np.where(reached != NONE, reached, forecast) - baseline
        projects = self.dim("project", rows["project"])
        columns: SectionColumns = {
            "project": projects.codes(rows["project"]),
            "milestone": self.text(rows["milestone"]),
            "name": self.text(rows["name"]),
            "priority": rows["priority"],
            "baseline": Dates(baseline),
            "forecast": Dates(forecast),
            "status": coded("milestone_status", rows["milestone_status"]),
            "shifts": rows["shifts"],
            "slip_days": slip,
            "reached_on": Dates(reached),
        }
        return Section(columns, [projects.rank(rows["project"]), baseline, rows["milestone"]])

    def milestone_moves(self) -> Section:
        """Every recorded change of a milestone's forecast in force on ``as_of`` as known
        at ``known_at``: the event (its log position, author, when it took effect and
        when it was recorded) and the decision it belongs to."""
        rows = self.tables["milestone_moves"].select(
            self.as_of,
            self.known_at,
            partitions=None if self.in_projects is None else self.in_projects.tolist(),
            intervals=True,
        )
        decisions = self.select("decisions", partitions=np.unique(rows["decision"]).tolist())
        at = pd.Index(decisions["decision"]).get_indexer(pd.Index(rows["decision"]))
        known = at >= 0

        def of_decision(column: str) -> np.ndarray:
            values = decisions[column]
            if len(values) == 0:  # no move belongs to a decision
                return np.full(len(at), NONE, dtype=np.int64)
            return np.where(known, values[np.clip(at, 0, None)], NONE)

        decision_code = of_decision("code")
        decision_title = of_decision("title")
        forum = of_decision("forum")
        projects = self.dim("project", rows["project"])
        columns: SectionColumns = {
            "project": projects.codes(rows["project"]),
            "milestone": self.text(rows["milestone"]),
            "effective_on": Dates(rows["eff_from"]),
            "recorded_at": Instants(rows["rec_from"]),
            "move": _MOVES.labels(rows["move"]),
            "forecast": Dates(rows["forecast"]),
            "position": rows["position"],
            "author": self.text(rows["author"]),
            "decision": self.text(decision_code),
            "decision_title": self.text(decision_title),
            "forum": coded("forum", forum),
        }
        keys = [projects.rank(rows["project"]), rows["milestone"], rows["position"]]
        return Section(columns, keys)

    def envelopes(self) -> Section:
        if self.scope.kind == "perimeter":
            assert self.in_perimeters is not None
            heads = self.select("envelopes")
            heads = _keep(heads, np.isin(heads["perimeter"], self.in_perimeters))
        else:
            heads = self.by_project("envelopes")
        if self.scope.kind in ("programme", "project"):  # a few envelopes: by the index
            lines = self.select("envelope_lines", partitions=heads["envelope"].tolist())
        else:
            lines = self.select("envelope_lines", {"envelope": heads["envelope"].tolist()})
        at = pd.Index(heads["envelope"]).get_indexer(pd.Index(lines["envelope"]))
        codes = heads["code"][at]
        projects = self.dim("project", heads["project"][at])
        columns: SectionColumns = {
            "envelope": self.text(codes),
            "owner": coded("owner_kind", heads["owner_kind"][at]),
            "fiscal_year": heads["fiscal_year"][at],
            "project": projects.codes(heads["project"][at]),
            "programme": self.name("programme", heads["programme"][at]),
            "perimeter": self.name("perimeter", heads["perimeter"][at]),
            "nature": coded("nature", lines["nature"]),
            **{f: amounts(lines[f]) for f in ("initial", "moved_in", "moved_out", "raised", "cut")},
        }
        current = lines["initial"] + lines["moved_in"] - lines["moved_out"]
        columns["current"] = amounts(current + lines["raised"] - lines["cut"])
        return Section(columns, sort_by=["envelope", "nature"])

    def resources(self) -> Section:
        rows = self.by_resource("resources")
        dim = self.dim("resource", rows["resource"])
        columns: SectionColumns = {
            "resource": dim.codes(rows["resource"]),
            "name": self.text(rows["name"]),
            "kind": coded("kind", rows["kind"]),
            "sourcing": coded("sourcing", rows["sourcing"]),
            "home": self.name("perimeter", rows["home"]),
            "skills": skill_names(rows["skills"]),
            "last_week": Dates(rows["last_week"]),
        }
        return Section(columns, [dim.rank(rows["resource"])])

    def capacity(self) -> Section:
        """Each resource's weekly capacity from a week on (until its next change)."""
        rows = self.by_resource("capacity")
        dim = self.dim("resource", rows["resource"])
        columns: SectionColumns = {
            "resource": dim.codes(rows["resource"]),
            "from_week": Dates(rows["from_week"]),
            "days_per_week": amounts(rows["days"]),
        }
        return Section(columns, [dim.rank(rows["resource"]), rows["from_week"]])

    def absences(self) -> Section:
        rows = self.by_resource("absences")
        rows = _keep(rows, rows["days"] > 0)
        dim = self.dim("resource", rows["resource"])
        columns: SectionColumns = {
            "resource": dim.codes(rows["resource"]),
            "week": Dates(rows["week"]),
            "days": amounts(rows["days"]),
        }
        return Section(columns, [dim.rank(rows["resource"]), rows["week"]])

    def rates(self) -> Section:
        """Each resource's daily rate from a day on (until its next change)."""
        rows = self.by_resource("rates")
        dim = self.dim("resource", rows["resource"])
        columns: SectionColumns = {
            "resource": dim.codes(rows["resource"]),
            "from_day": Dates(rows["from_day"]),
            "daily_rate": amounts(rows["rate"]),
        }
        return Section(columns, [dim.rank(rows["resource"]), rows["from_day"]])

    def staffing(self) -> Section:
        rows = self.by_project("staffing")
        rows = _keep(rows, rows["days"] > 0)
        resources = self.dim("resource", rows["resource"])
        projects = self.dim("project", rows["project"])
        columns: SectionColumns = {
            "resource": resources.codes(rows["resource"]),
            "project": projects.codes(rows["project"]),
            "week": Dates(rows["week"]),
            "days": amounts(rows["days"]),
        }
        keys = [resources.rank(rows["resource"]), projects.rank(rows["project"]), rows["week"]]
        return Section(columns, keys)

    def actuals(self) -> Section:
        """Logged days per resource, project and week, valued at the rate of the week."""
        rows = self.by_project("timesheet_lines")
        rows = _keep(rows, rows["days"] > 0)
        rates = self._rates(rows["resource"], rows["week"])
        days = amounts(rows["days"])
        resources = self.dim("resource", rows["resource"])
        projects = self.dim("project", rows["project"])
        columns: SectionColumns = {
            "resource": resources.codes(rows["resource"]),
            "project": projects.codes(rows["project"]),
            "week": Dates(rows["week"]),
            "days": days,
            "rate": rates,
            "cost": np.round(days * rates, 2),
        }
        keys = [resources.rank(rows["resource"]), rows["week"], projects.rank(rows["project"])]
        return Section(columns, keys)

    def _rates(self, resources: Ints, days: Ints) -> npt.NDArray[np.float64]:
        """The daily rate in force on each day (the first known rate before any)."""
        if self.in_projects is None:
            rates = self.select("rates")
        else:  # a scope's few resources: their rate changes only (by the index)
            rates = self.select("rates", partitions=np.unique(resources).tolist())
        order = np.lexsort((rates["from_day"], rates["resource"]))
        who, since, rate = (rates[f][order] for f in ("resource", "from_day", "rate"))
        if not len(who):
            return np.zeros(len(resources))
        # Search (resource, day) among the rate changes sorted the same way.
        span = int(max(since.max(), days.max(initial=0)) + 1)
        keys = who * span + since
        wanted = resources * span + days
        at = np.searchsorted(keys, wanted, side="right") - 1
        first = np.searchsorted(who, resources, side="left")  # the resource's first rate
        found = np.where((at >= 0) & (who[np.clip(at, 0, None)] == resources), at, first)
        found = np.clip(found, 0, len(who) - 1)
        known = who[found] == resources
        return np.where(known, rate[found] / 100.0, np.nan)

    def timesheets(self) -> Section:
        rows = self.by_resource("timesheets")
        dim = self.dim("resource", rows["resource"])
        columns: SectionColumns = {
            "resource": dim.codes(rows["resource"]),
            "week": Dates(rows["week"]),
            "status": coded("sheet_status", rows["sheet_status"]),
            "submitted_at": Instants(rows["submitted_at"]),
            "corrections": rows["corrections"],
        }
        return Section(columns, [dim.rank(rows["resource"]), rows["week"]])

    @cached_property
    def _backlog_rows(self) -> Columns:
        return self.by_project("backlog")

    def backlog(self) -> Section:
        rows = self._backlog_rows
        effort = self._effort
        item_days = _sums(effort["item"], effort["days"], rows["item"])
        projects = self.dim("project", rows["project"])
        columns: SectionColumns = {
            "item": self.text(rows["code"]),
            "project": projects.codes(rows["project"]),
            "title": self.text(rows["title"]),
            "rank": rows["rank"],
            "maturity": coded("maturity", rows["maturity"]),
            "milestone": self.text(rows["milestone"]),
            "status": coded("backlog_status", rows["backlog_status"]),
            "effort_days": amounts(item_days),
        }
        return Section(columns, [projects.rank(rows["project"]), rows["rank"], rows["code"]])

    @cached_property
    def _effort(self) -> Columns:
        """The effort per skill of the backlog's items (only those in force when scoped)."""
        if self.in_projects is None:
            rows = self.select("backlog_effort")
        else:
            rows = self.select("backlog_effort", partitions=self._backlog_rows["item"].tolist())
        return _keep(rows, rows["days"] > 0)

    def backlog_effort(self) -> Section:
        """Each backlog item's effort per skill (person-days)."""
        items = self._backlog_rows
        effort = self._effort
        effort = _keep(effort, np.isin(effort["item"], items["item"]))
        at = pd.Index(items["item"]).get_indexer(pd.Index(effort["item"]))
        projects = self.dim("project", items["project"][at])
        columns: SectionColumns = {
            "item": self.text(items["code"][at]),
            "project": projects.codes(items["project"][at]),
            "skill": _SKILL_NAMES.labels(effort["skill"]),
            "days": amounts(effort["days"]),
        }
        keys = [projects.rank(items["project"][at]), items["rank"][at], items["code"][at]]
        return Section(columns, [*keys, effort["skill"]])

    def dependencies(self) -> Section:
        rows = self.select("dependencies")
        if self.in_projects is not None:
            keep = np.isin(rows["dependent_project"], self.in_projects)
            rows = _keep(rows, keep | np.isin(rows["prerequisite_project"], self.in_projects))
        columns: SectionColumns = {
            "dependency": self.text(rows["code"]),
            "dependent": self.text(rows["dependent"]),
            "dependent_kind": coded("endpoint", rows["dependent_kind"]),
            "dependent_project": self.name("project", rows["dependent_project"]),
            "prerequisite": self.text(rows["prerequisite"]),
            "prerequisite_kind": coded("endpoint", rows["prerequisite_kind"]),
            "prerequisite_project": self.name("project", rows["prerequisite_project"]),
            "needed_by": Dates(rows["needed_by"]),
            "status": coded("dependency_status", rows["dependency_status"]),
            "description": self.text(rows["description"]),
        }
        return Section(columns, sort_by=["dependency"])

    def demands(self) -> Section:
        rows = self.by_resource("demands")
        columns: SectionColumns = {
            "demand": self.text(rows["code"]),
            "resource": self.name("resource", rows["resource"]),
            "requester": self.text(rows["requester"]),
            "title": self.text(rows["title"]),
            "first_week": Dates(rows["first_week"]),
            "last_week": Dates(rows["last_week"]),
            "days_per_week": amounts(rows["days"]),
            "status": coded("demand_status", rows["demand_status"]),
        }
        return Section(columns, sort_by=["demand"])

    def risks(self) -> Section:
        if self.scope.kind in ("programme", "project"):  # their programmes' risks first
            assert self.in_programmes is not None
            rows = self.select("risks", partitions=self.in_programmes.tolist())
        else:
            rows = self.select("risks")
        if self.scope.kind != "portfolio":
            ids = {
                "project": self.in_projects,
                "programme": self.in_programmes,
                "perimeter": self.in_perimeters,
            }[self.scope.kind]
            assert ids is not None
            rows = _keep(rows, np.isin(rows[self.scope.kind], ids))
        probability, impact = rows["probability"], rows["impact"]
        on = np.full(len(probability), None, dtype=object)
        for kind in ("project", "programme", "perimeter"):
            at = rows["scope_kind"] == list(_ENUMS["scope_kind"].names).index(kind)
            on[at] = self.name(kind, rows["scope"][at]).cells()
        columns: SectionColumns = {
            "risk": self.text(rows["code"]),
            "scope": coded("scope_kind", rows["scope_kind"]),
            "on": Strings(on),
            "project": self.name("project", rows["project"]),
            "programme": self.name("programme", rows["programme"]),
            "perimeter": self.name("perimeter", rows["perimeter"]),
            "title": self.text(rows["title"]),
            "probability": probability,
            "impact": impact,
            "exposure": probability * impact,
            "level": coded("level", rows["level"]),
            "status": coded("risk_status", rows["risk_status"]),
            "owner": self.text(rows["owner"]),
        }
        return Section(columns, sort_by=["risk"])
