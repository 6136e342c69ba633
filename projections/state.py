"""``state(as_of, known_at)``: the portfolio, or one perimeter, programme or project.

Each section is a filter of one step table (see ``bitemporal``), decoded into a
DataFrame: entity codes (perimeter, programme, project, resource) as pandas
categoricals whose categories are the codes in force, in alphabetical order; other
texts as strings; dates as ``datetime64``; money in euros and person-days as floats
(exact: they are whole hundredths); enums by their value. Rows are sorted by their
natural key. A perimeter, programme or project scope reads only its projects' rows
(the step tables keep an index by project and by resource).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from domain.enums import Skill
from domain.errors import UnknownEntity
from projections.bitemporal import Columns
from projections.codec import EPOCH
from projections.projector import Projector
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
    unknown = sorted(set(wanted) - set(SECTIONS))
    if unknown:
        raise ValueError(f"no section {', '.join(unknown)}; there are {', '.join(SECTIONS)}")
    query = _Query(projector, ordinal(as_of), micros(known_at), scope)
    return PortfolioState(as_of, known_at, scope, {name: getattr(query, name)() for name in wanted})


# -- decoding ---------------------------------------------------------------------------


def texts_of(projector: Projector) -> npt.NDArray[np.object_]:
    """The labels as an object array, one more slot (None) for ``NONE``; kept between
    queries and extended as labels are added."""
    cache = projector.query_cache
    texts: npt.NDArray[np.object_] | None = cache.get("texts")
    labels = projector.labels.texts
    if texts is None or len(texts) != len(labels) + 1:
        known = 0 if texts is None else len(texts) - 1
        fresh = np.empty(len(labels) - known + 1, dtype=object)
        fresh[:-1] = labels[known:]
        texts = fresh if texts is None else np.concatenate([texts[:-1], fresh])
        cache["texts"] = texts
    return texts


def dates(ordinals: Ints) -> npt.NDArray[np.datetime64]:
    """Ordinals as dates (NaT where absent)."""
    days = (ordinals - EPOCH).astype("datetime64[D]")
    return np.where(ordinals == NONE, np.datetime64("NaT"), days).astype("datetime64[s]")


def amounts(hundredths: Ints) -> npt.NDArray[np.float64]:
    """Hundredths (cents, hundredths of a day) as floats."""
    return hundredths / 100.0


_ENUM_VALUES = {name: [str(m.value) for m in members(enum)] for name, enum in CODED.items()}
_ENUM_TYPES = {
    name: pd.CategoricalDtype(pd.Index(v, dtype=str)) for name, v in _ENUM_VALUES.items()
}
_SKILLS = [str(s.value) for s in Skill]
_SKILL_TYPE = pd.CategoricalDtype(pd.Index(_SKILLS, dtype=str))
_MOVE_TYPE = pd.CategoricalDtype(
    pd.Index(["planned", "shifted", "reached", "cancelled"], dtype=str)
)


def coded(name: str, codes: Ints) -> pd.Categorical:
    """Enum codes as a categorical of the enum's values (in declaration order)."""
    return pd.Categorical.from_codes(np.where(codes < 0, -1, codes), dtype=_ENUM_TYPES[name])


def skill_names(masks: Ints) -> list[str]:
    """Skill bitmasks as comma-separated names."""
    return [",".join(n for i, n in enumerate(_SKILLS) if mask >> i & 1) for mask in masks.tolist()]


class _Dim:
    """One kind of entity in force at the query's dates: label ids to their codes."""

    def __init__(
        self, ids: Ints, codes: Ints, texts: npt.NDArray[np.object_], place: Ints, count: int
    ) -> None:
        # ``place``: each entity's place among every code of its kind (``count`` of
        # them) in alphabetical order, by label id; ``count`` for other labels.
        places = place[ids]
        order = np.argsort(places, kind="stable")
        self.ids = ids[order]
        self.dtype = pd.CategoricalDtype(pd.Index(texts[codes[order]], dtype=str))
        self._place = place
        self._local = np.full(count + 1, -1, dtype=np.int64)
        self._local[places[order]] = np.arange(len(order))

    def rank(self, ids: Ints) -> Ints:
        """Each id's place in code order (-1 where unknown or absent)."""
        return np.where(ids >= 0, self._local[self._place[np.where(ids >= 0, ids, 0)]], -1)

    def codes(self, ids: Ints) -> pd.Categorical:
        """The ids as a categorical of codes."""
        return pd.Categorical.from_codes(self.rank(ids), dtype=self.dtype)

    def find(self, code: str) -> int | None:
        """The id of the entity with ``code`` (case-insensitive)."""
        wanted = code.upper()
        for index, known in enumerate(self.dtype.categories):
            if known.upper() == wanted:
                return int(self.ids[index])
        return None


_DIMS = {
    "perimeter": ("perimeters", "perimeter"),
    "programme": ("programmes", "programme"),
    "project": ("projects", "project"),
    "resource": ("resources", "resource"),
}


def _order(keys: list[Ints]) -> Ints:
    """The permutation that sorts rows by integer ``keys`` (most significant first).

    The keys are packed into one integer when their ranges allow (a stable argsort of
    one column is several times faster than ``lexsort`` over three).
    """
    packed = np.zeros(len(keys[0]), dtype=np.int64)
    room = 1
    for key in keys:
        low, high = int(key.min()), int(key.max())
        span = high - low + 1
        room *= span
        if room >= 2**62:
            return np.lexsort(keys[::-1])
        packed = packed * span + (key - low)
    return np.argsort(packed, kind="stable")


class _Texts:
    """A text column still as label ids: looked up once the rows are in order."""

    def __init__(self, texts: npt.NDArray[np.object_], ids: Ints) -> None:
        self.texts, self.ids = texts, ids

    def column(self, order: Ints | None) -> pd.Series:
        ids = self.ids if order is None else self.ids[order]
        return pd.Series(self.texts[np.where(ids < 0, len(self.texts) - 1, ids)], dtype=str)


def _frame(columns: dict[str, Any], keys: list[Ints] | None = None) -> pd.DataFrame:
    """A section's frame, its rows in the order of ``keys`` when given.

    The rows are put in order column by column before the frame is built (taking the
    rows of a built frame costs more), and texts are looked up only then.
    """
    order = _order(keys) if keys is not None and len(keys[0]) > 1 else None
    built: dict[str, Any] = {}
    for name, value in columns.items():
        if isinstance(value, _Texts):
            built[name] = value.column(order)
        elif order is None:
            built[name] = value
        elif isinstance(value, pd.Categorical):
            built[name] = pd.Categorical.from_codes(value.codes[order], dtype=value.dtype)
        elif isinstance(value, pd.Series | pd.Index):
            built[name] = value.array.take(order)
        elif isinstance(value, list):
            built[name] = [value[i] for i in order.tolist()]
        else:
            built[name] = np.asarray(value)[order]
    return pd.DataFrame(built, copy=False)


def _keep(rows: Columns, mask: npt.NDArray[np.bool_]) -> Columns:
    return {name: column[mask] for name, column in rows.items()}


class _Query:
    """One state query: its dates, the ids its scope covers, one method per section."""

    def __init__(self, projector: Projector, as_of: int, known_at: int, scope: Scope) -> None:
        self.p = projector
        self.tables = projector.tables
        self.as_of, self.known_at = as_of, known_at
        self.texts = texts_of(projector)
        self.scope = scope
        self._dims: dict[str, _Dim] = {}
        self.in_projects, self.in_programmes, self.in_perimeters = self._scope_ids()

    # -- helpers ----------------------------------------------------------------------

    def dim(self, kind: str, *referred: Ints) -> _Dim:
        """The entities of ``kind`` in force on ``as_of``, widened to the ``referred`` ids.

        A row in force may refer to an entity whose own registration takes effect later:
        the timesheet of the week a person joined starts on the Monday before. Such an
        entity is still named; later sections of the query share the widened dimension.
        """
        found = self._dims.get(kind)
        if found is None:
            table, key = _DIMS[kind]
            rows = self.tables[table].select(self.as_of, self.known_at)
            place, count, _ = self._alphabetical(kind)
            found = _Dim(rows[key], rows["code"], self.texts, place, count)
            self._dims[kind] = found
        for ids in referred:
            missing = ids[(ids >= 0) & (found.rank(ids) < 0)]
            if len(missing):
                place, count, code_of = self._alphabetical(kind)
                wider = np.concatenate([found.ids, np.unique(missing)])
                found = _Dim(wider, code_of[wider], self.texts, place, count)
                self._dims[kind] = found
        return found

    def name(self, kind: str, ids: Ints) -> pd.Categorical:
        """The ids of entities of ``kind`` as a categorical of their codes."""
        return self.dim(kind, ids).codes(ids)

    def _alphabetical(self, kind: str) -> tuple[Ints, int, Ints]:
        """Each entity's place in the alphabetical order of its kind's codes, and its
        code's label, by label id; kept between queries until the kind's table or the
        labels grow."""
        table_name, key = _DIMS[kind]
        table = self.tables[table_name]
        version = (len(table), len(self.texts))
        cached = self.p.query_cache.get(f"alphabetical:{kind}")
        if cached is not None and cached[0] == version:
            return cached[1], cached[2], cached[3]
        ids, first = np.unique(table.column(key), return_index=True)
        codes = table.column("code")[first]
        names = self.texts[codes].astype(str)
        place = np.full(len(self.texts), len(ids), dtype=np.int64)
        place[ids[np.argsort(names, kind="stable")]] = np.arange(len(ids))
        code_of = np.full(len(self.texts), -1, dtype=np.int64)
        code_of[ids] = codes
        self.p.query_cache[f"alphabetical:{kind}"] = (version, place, len(ids), code_of)
        return place, len(ids), code_of

    def text(self, ids: Ints) -> _Texts:
        return _Texts(self.texts, ids)

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
        found = self.dim(scope.kind).find(scope.code)
        if found is None:
            raise UnknownEntity(scope.kind, scope.code)
        programme_of, perimeter_of = self.p.programme_of, self.p.perimeter_of
        if scope.kind == "project":
            projects = [found]
            programmes = [programme_of.get(found, NONE)]
        elif scope.kind == "programme":
            projects = [pr for pr, pg in programme_of.items() if pg == found]
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

    def perimeters(self) -> pd.DataFrame:
        where = None if self.in_perimeters is None else {"perimeter": self.in_perimeters.tolist()}
        rows = self.select("perimeters", where)
        dim = self.dim("perimeter")
        columns = {"perimeter": dim.codes(rows["perimeter"]), "name": self.text(rows["name"])}
        return _frame(columns, [dim.rank(rows["perimeter"])])

    def programmes(self) -> pd.DataFrame:
        where = None if self.in_programmes is None else {"programme": self.in_programmes.tolist()}
        rows = self.select("programmes", where)
        dim = self.dim("programme")
        columns = {
            "programme": dim.codes(rows["programme"]),
            "name": self.text(rows["name"]),
            "perimeter": self.name("perimeter", rows["perimeter"]),
        }
        return _frame(columns, [dim.rank(rows["programme"])])

    def projects(self) -> pd.DataFrame:
        where = None if self.in_projects is None else {"project": self.in_projects.tolist()}
        rows = self.select("projects", where)
        dim = self.dim("project")
        columns = {
            "project": dim.codes(rows["project"]),
            "name": self.text(rows["name"]),
            "programme": self.name("programme", rows["programme"]),
            "perimeter": self.name("perimeter", rows["perimeter"]),
            "start": dates(rows["start"]),
            "end": dates(rows["end"]),
            "status": coded("status", rows["status"]),
        }
        return _frame(columns, [dim.rank(rows["project"])])

    def milestones(self) -> pd.DataFrame:
        rows = self.by_project("milestones")
        reached = rows["reached_on"]
        baseline, forecast = rows["baseline"], rows["forecast"]
        slip = np.where(reached != NONE, reached, forecast) - baseline
        projects = self.dim("project", rows["project"])
        columns = {
            "project": projects.codes(rows["project"]),
            "milestone": self.text(rows["milestone"]),
            "name": self.text(rows["name"]),
            "priority": rows["priority"],
            "baseline": dates(baseline),
            "forecast": dates(forecast),
            "status": coded("milestone_status", rows["milestone_status"]),
            "shifts": rows["shifts"],
            "slip_days": slip,
            "reached_on": dates(reached),
        }
        return _frame(columns, [projects.rank(rows["project"]), baseline, rows["milestone"]])

    def milestone_moves(self) -> pd.DataFrame:
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
        columns = {
            "project": projects.codes(rows["project"]),
            "milestone": self.text(rows["milestone"]),
            "effective_on": dates(rows["eff_from"]),
            "recorded_at": pd.to_datetime(rows["rec_from"], unit="us", utc=True),
            "move": pd.Categorical.from_codes(rows["move"], dtype=_MOVE_TYPE),
            "forecast": dates(rows["forecast"]),
            "position": rows["position"],
            "author": self.text(rows["author"]),
            "decision": self.text(decision_code),
            "decision_title": self.text(decision_title),
            "forum": coded("forum", forum),
        }
        keys = [projects.rank(rows["project"]), rows["milestone"], rows["position"]]
        return _frame(columns, keys)

    def envelopes(self) -> pd.DataFrame:
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
        columns = {
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
        return _frame(columns).sort_values(["envelope", "nature"], ignore_index=True)

    def resources(self) -> pd.DataFrame:
        rows = self.by_resource("resources")
        dim = self.dim("resource", rows["resource"])
        columns = {
            "resource": dim.codes(rows["resource"]),
            "name": self.text(rows["name"]),
            "kind": coded("kind", rows["kind"]),
            "sourcing": coded("sourcing", rows["sourcing"]),
            "home": self.name("perimeter", rows["home"]),
            "skills": skill_names(rows["skills"]),
            "last_week": dates(rows["last_week"]),
        }
        return _frame(columns, [dim.rank(rows["resource"])])

    def capacity(self) -> pd.DataFrame:
        """Each resource's weekly capacity from a week on (until its next change)."""
        rows = self.by_resource("capacity")
        dim = self.dim("resource", rows["resource"])
        columns = {
            "resource": dim.codes(rows["resource"]),
            "from_week": dates(rows["from_week"]),
            "days_per_week": amounts(rows["days"]),
        }
        return _frame(columns, [dim.rank(rows["resource"]), rows["from_week"]])

    def absences(self) -> pd.DataFrame:
        rows = self.by_resource("absences")
        rows = _keep(rows, rows["days"] > 0)
        dim = self.dim("resource", rows["resource"])
        columns = {
            "resource": dim.codes(rows["resource"]),
            "week": dates(rows["week"]),
            "days": amounts(rows["days"]),
        }
        return _frame(columns, [dim.rank(rows["resource"]), rows["week"]])

    def rates(self) -> pd.DataFrame:
        """Each resource's daily rate from a day on (until its next change)."""
        rows = self.by_resource("rates")
        dim = self.dim("resource", rows["resource"])
        columns = {
            "resource": dim.codes(rows["resource"]),
            "from_day": dates(rows["from_day"]),
            "daily_rate": amounts(rows["rate"]),
        }
        return _frame(columns, [dim.rank(rows["resource"]), rows["from_day"]])

    def staffing(self) -> pd.DataFrame:
        rows = self.by_project("staffing")
        rows = _keep(rows, rows["days"] > 0)
        resources = self.dim("resource", rows["resource"])
        projects = self.dim("project", rows["project"])
        columns = {
            "resource": resources.codes(rows["resource"]),
            "project": projects.codes(rows["project"]),
            "week": dates(rows["week"]),
            "days": amounts(rows["days"]),
        }
        keys = [resources.rank(rows["resource"]), projects.rank(rows["project"]), rows["week"]]
        return _frame(columns, keys)

    def actuals(self) -> pd.DataFrame:
        """Logged days per resource, project and week, valued at the rate of the week."""
        rows = self.by_project("timesheet_lines")
        rows = _keep(rows, rows["days"] > 0)
        rates = self._rates(rows["resource"], rows["week"])
        days = amounts(rows["days"])
        resources = self.dim("resource", rows["resource"])
        projects = self.dim("project", rows["project"])
        columns = {
            "resource": resources.codes(rows["resource"]),
            "project": projects.codes(rows["project"]),
            "week": dates(rows["week"]),
            "days": days,
            "rate": rates,
            "cost": np.round(days * rates, 2),
        }
        keys = [resources.rank(rows["resource"]), rows["week"], projects.rank(rows["project"])]
        return _frame(columns, keys)

    def _rates(self, resources: Ints, days: Ints) -> npt.NDArray[np.float64]:
        """The daily rate in force on each day (the first known rate before any)."""
        rates = self.select("rates")
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

    def timesheets(self) -> pd.DataFrame:
        rows = self.by_resource("timesheets")
        dim = self.dim("resource", rows["resource"])
        columns = {
            "resource": dim.codes(rows["resource"]),
            "week": dates(rows["week"]),
            "status": coded("sheet_status", rows["sheet_status"]),
            "submitted_at": pd.to_datetime(rows["submitted_at"], unit="us", utc=True),
            "corrections": rows["corrections"],
        }
        return _frame(columns, [dim.rank(rows["resource"]), rows["week"]])

    def _backlog_rows(self) -> Columns:
        return self.by_project("backlog")

    def backlog(self) -> pd.DataFrame:
        rows = self._backlog_rows()
        effort = self._effort(rows["item"])
        totals = pd.Series(effort["days"]).groupby(effort["item"]).sum()
        item_days = totals.reindex(rows["item"], fill_value=0).to_numpy()
        projects = self.dim("project", rows["project"])
        columns = {
            "item": self.text(rows["code"]),
            "project": projects.codes(rows["project"]),
            "title": self.text(rows["title"]),
            "rank": rows["rank"],
            "maturity": coded("maturity", rows["maturity"]),
            "milestone": self.text(rows["milestone"]),
            "status": coded("backlog_status", rows["backlog_status"]),
            "effort_days": amounts(item_days),
        }
        return _frame(columns, [projects.rank(rows["project"]), rows["rank"], rows["code"]])

    def _effort(self, items: Ints) -> Columns:
        if self.in_projects is None:
            rows = self.select("backlog_effort")
        else:
            rows = self.select("backlog_effort", partitions=items.tolist())
        return _keep(rows, rows["days"] > 0)

    def backlog_effort(self) -> pd.DataFrame:
        """Each backlog item's effort per skill (person-days)."""
        items = self._backlog_rows()
        effort = self._effort(items["item"])
        effort = _keep(effort, np.isin(effort["item"], items["item"]))
        at = pd.Index(items["item"]).get_indexer(pd.Index(effort["item"]))
        projects = self.dim("project", items["project"][at])
        columns = {
            "item": self.text(items["code"][at]),
            "project": projects.codes(items["project"][at]),
            "skill": pd.Categorical.from_codes(effort["skill"], dtype=_SKILL_TYPE),
            "days": amounts(effort["days"]),
        }
        keys = [projects.rank(items["project"][at]), items["rank"][at], items["code"][at]]
        return _frame(columns, [*keys, effort["skill"]])

    def dependencies(self) -> pd.DataFrame:
        rows = self.select("dependencies")
        if self.in_projects is not None:
            keep = np.isin(rows["dependent_project"], self.in_projects)
            rows = _keep(rows, keep | np.isin(rows["prerequisite_project"], self.in_projects))
        columns = {
            "dependency": self.text(rows["code"]),
            "dependent": self.text(rows["dependent"]),
            "dependent_kind": coded("endpoint", rows["dependent_kind"]),
            "dependent_project": self.name("project", rows["dependent_project"]),
            "prerequisite": self.text(rows["prerequisite"]),
            "prerequisite_kind": coded("endpoint", rows["prerequisite_kind"]),
            "prerequisite_project": self.name("project", rows["prerequisite_project"]),
            "needed_by": dates(rows["needed_by"]),
            "status": coded("dependency_status", rows["dependency_status"]),
            "description": self.text(rows["description"]),
        }
        return _frame(columns).sort_values("dependency", ignore_index=True)

    def demands(self) -> pd.DataFrame:
        rows = self.by_resource("demands")
        columns = {
            "demand": self.text(rows["code"]),
            "resource": self.name("resource", rows["resource"]),
            "requester": self.text(rows["requester"]),
            "title": self.text(rows["title"]),
            "first_week": dates(rows["first_week"]),
            "last_week": dates(rows["last_week"]),
            "days_per_week": amounts(rows["days"]),
            "status": coded("demand_status", rows["demand_status"]),
        }
        return _frame(columns).sort_values("demand", ignore_index=True)

    def risks(self) -> pd.DataFrame:
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
            at = rows["scope_kind"] == _ENUM_VALUES["scope_kind"].index(kind)
            on[at] = np.asarray(self.name(kind, rows["scope"][at]).astype(object))
        columns = {
            "risk": self.text(rows["code"]),
            "scope": coded("scope_kind", rows["scope_kind"]),
            "on": pd.Series(on, dtype=str),
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
        return _frame(columns).sort_values("risk", ignore_index=True)
