"""What-if scenarios: named branches of the ledger holding hypothetical decisions.

A scenario is recorded in a *book* beside the ledger — an event-sourced application of
its own, in the same database but in its own tables (chained and append-only like the
ledger's) — so the ledger's log, projections and KPIs never see it, and who tried what,
when, stays recorded for audit. It holds its branch position (a position of the main
log) and its hypotheses: commands of the ledger, as given (area, action, raw fields),
each accepted only when the ledger's own rules accept it on the branch
(``domain.branch``), after the hypotheses before it.

Promoting a scenario records its hypotheses in the main ledger for real, atomically
(one transaction), under one decision naming the scenario; it is refused, listing the
conflicts, when the main ledger changed an aggregate the hypotheses touch since the
branch position. Rebasing moves the branch to today's position and re-validates every
hypothesis there. Abandoning closes it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import ApplicationRecorder, IntegrityError
from eventsourcing.utils import Environment, EnvType

from domain.branch import AfterBranch, BranchLedger
from domain.chain import ChainedSQLiteRecorder
from domain.commands import ALL_COMMANDS, Command, TakeDecision
from domain.errors import (
    ConcurrencyConflict,
    DomainError,
    InvalidInput,
    InvalidTransition,
    ScenarioConflict,
    UnknownEntity,
)
from domain.ledger import Ledger, Receipt
from domain.values import text

NAMESPACE = uuid.UUID("7d1c3e52-9b1f-4c55-8a53-5c3e2a7f0d11")
COMMANDS = {(c.area, c.action): c for c in ALL_COMMANDS if c.recordable}
EVALUATION_ATTEMPTS = 5


class Scenario(Aggregate):
    """A named branch and its hypotheses."""

    @staticmethod
    def id_for(name: str) -> uuid.UUID:
        """Names are unique, case-insensitively."""
        return uuid.uuid5(NAMESPACE, name.strip().upper())

    @classmethod
    def create_id(cls, name: str, **_: Any) -> uuid.UUID:
        """The aggregate id follows from the name."""
        return cls.id_for(name)

    @event("Created")
    def __init__(
        self, name: str, position: int, branch_at: datetime, author: str, rationale: str = ""
    ) -> None:
        self.name = name
        self.position = position
        self.branch_at = branch_at
        self.author = author
        self.rationale = rationale
        self.hypotheses: list[dict[str, Any]] = []
        self.evaluations: list[dict[str, Any]] = []
        self.status = "open"
        self.decision: str | None = None

    @event("HypothesisAdded")
    def _add(self, hypothesis: dict[str, Any]) -> None:
        self.hypotheses.append(hypothesis)

    @event("Evaluated")
    def _evaluated(self, evaluation: dict[str, Any]) -> None:
        self.evaluations.append(evaluation)

    @event("Rebased")
    def _rebase(self, position: int, branch_at: datetime, author: str) -> None:
        self.position, self.branch_at = position, branch_at

    @event("Promoted")
    def _promote(self, decision: str, author: str) -> None:
        self.status, self.decision = "promoted", decision

    @event("Abandoned")
    def _abandon(self, author: str, reason: str) -> None:
        self.status = "abandoned"

    def require_open(self) -> None:
        """Only an open scenario takes hypotheses, or is promoted, rebased, abandoned."""
        if self.status != "open":
            raise InvalidTransition(f"scenario {self.name} is {self.status}", scenario=self.name)


class ScenarioRecorder(ChainedSQLiteRecorder):
    """The book's tables in a SQLite ledger's file: ``scenario_events`` and its chain."""

    def __init__(self, datastore: Any, events_table_name: str = "scenario_events") -> None:
        super().__init__(datastore, events_table_name)


class ScenarioBook(Application[uuid.UUID]):
    """The scenarios of a ledger, stored beside it."""

    name = "Scenarios"

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        env = dict(ledger.store.env)
        if ledger.store.kind == "sqlite":
            env["APPLICATION_RECORDER_TOPIC"] = "domain.scenarios:ScenarioRecorder"
        super().__init__(env=env)

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """The ledger's store settings only (as the ledger itself)."""
        return Environment(name, dict(env or {}))

    def construct_recorder(self) -> ApplicationRecorder:
        """The book's recorder, its tables created like the ledger's."""
        return self.ledger.create_tables(self.factory.application_recorder())

    # -- reading ----------------------------------------------------------------------

    def get(self, name: str) -> Scenario:
        """The scenario called ``name``."""
        try:
            found: Scenario = self.repository.get(Scenario.id_for(name))
        except AggregateNotFoundError:
            raise UnknownEntity("scenario", name) from None
        return found

    def names(self) -> list[str]:
        """Every scenario's name, in the order they were created."""
        found = []
        for notification in self.recorder.select_notifications(None, 1_000_000):
            if notification.topic.endswith("Scenario.Created"):
                found.append(self.get_by_id(uuid.UUID(str(notification.originator_id))).name)
        return found

    def get_by_id(self, aggregate: uuid.UUID) -> Scenario:
        """A scenario by its id."""
        found: Scenario = self.repository.get(aggregate)
        return found

    def branch(self, scenario: Scenario) -> tuple[BranchLedger, list[Receipt]]:
        """The scenario's world: the branch with its hypotheses applied, in order."""
        world = BranchLedger(self.ledger, scenario.position, clock=AfterBranch(scenario.branch_at))
        receipts = [world.execute(command_of(h), author=h["author"]) for h in scenario.hypotheses]
        return world, receipts

    # -- writing ----------------------------------------------------------------------

    def create(
        self,
        name: str,
        *,
        author: str,
        known_at: datetime | None = None,
        rationale: str = "",
    ) -> Scenario:
        """A new scenario branching the ledger as it was at ``known_at`` (now)."""
        if not name.strip():
            raise InvalidInput("name", "a scenario needs a name")
        why = text(rationale, "rationale", required=False, limit=2000)
        position, at = self.position_at(known_at)
        scenario = Scenario(
            name=name.strip(), position=position, branch_at=at, author=author, rationale=why
        )
        try:
            self.save(scenario)
        except IntegrityError:  # the store's key: one scenario per name
            raise InvalidInput("name", f"there is already a scenario {name}") from None
        return scenario

    def add(self, name: str, hypothesis: dict[str, Any], *, author: str) -> Receipt:
        """Add a hypothesis (``area``, ``action``, ``fields``) if the ledger's rules accept
        it on the branch after the ones before it; nothing is recorded otherwise."""
        scenario = self.get(name)
        scenario.require_open()
        entry = {**hypothesis, "author": author}
        command = command_of(entry)
        world, _ = self.branch(scenario)
        receipt = world.execute(command, author=author)
        scenario._add(entry)
        self._save(scenario)
        return receipt

    def record_evaluation(
        self, name: str, *, author: str, what: str, summary: dict[str, Any]
    ) -> None:
        """Keep what an evaluation of the scenario showed (who looked, when, at what);
        an evaluation recorded meanwhile by another process is read and this one added
        after it."""
        for attempt in range(EVALUATION_ATTEMPTS):
            scenario = self.get(name)
            at = self.ledger.clock.now().isoformat()
            scenario._evaluated({"what": what, "author": author, "at": at, "summary": summary})
            try:
                self.save(scenario)
            except IntegrityError:
                if attempt == EVALUATION_ATTEMPTS - 1:
                    raise
            else:
                return

    def abandon(self, name: str, *, author: str, reason: str) -> Scenario:
        """Close the scenario; it stays recorded."""
        scenario = self.get(name)
        scenario.require_open()
        scenario._abandon(author=author, reason=reason)
        self._save(scenario)
        return scenario

    def rebase(self, name: str, *, author: str) -> list[str]:
        """Move the branch to the ledger's current position if every hypothesis still
        holds there; otherwise change nothing and return the refusals."""
        scenario = self.get(name)
        scenario.require_open()
        position, at = self.position_at(None)
        world = BranchLedger(self.ledger, position, clock=AfterBranch(at))
        refusals = []
        for number, hypothesis in enumerate(scenario.hypotheses, start=1):
            try:
                world.execute(command_of(hypothesis), author=hypothesis["author"])
            except DomainError as refusal:
                refusals.append(f"hypothesis {number} ({_label(hypothesis)}): {refusal}")
        if not refusals:
            scenario._rebase(position=position, branch_at=at, author=author)
            self._save(scenario)
        return refusals

    def conflicts(self, scenario: Scenario) -> list[str]:
        """Aggregates the hypotheses touch that the main ledger changed since the branch."""
        world, _ = self.branch(scenario)
        recorder = world.branch_recorder
        found = []
        for aggregate in dict.fromkeys(e.originator_id for e in recorder.own_events()):
            key = uuid.UUID(str(aggregate))
            base = recorder.base(key)
            if not base:
                continue  # created by the scenario
            now = self.ledger.recorder.select_events(key, desc=True, limit=1)
            if now and now[0].originator_version != base[-1].originator_version:
                subject: Any = self.ledger.repository.get(key)
                label = f"{getattr(subject, 'kind', 'aggregate')} {getattr(subject, 'code', key)}"
                found.append(
                    f"{label} is at version {now[0].originator_version},"
                    f" {base[-1].originator_version} at the branch"
                )
        return found

    def promote(self, name: str, *, author: str, rationale: str) -> str:
        """Record the hypotheses in the ledger for real, atomically, under one decision
        naming the scenario; return the decision's code."""
        scenario = self.get(name)
        scenario.require_open()
        found = self.conflicts(scenario)
        if found:
            raise ScenarioConflict(scenario.name, found)
        with self.ledger.batch(size=1_000_000_000) as batch:
            decision = batch.execute(
                TakeDecision(title=f"Promote scenario {scenario.name}", rationale=rationale),
                author=author,
            )
            assert decision is not None
            for hypothesis in scenario.hypotheses:
                batch.execute(command_of(hypothesis, decision=decision), author=author)
        scenario._promote(decision=decision, author=author)
        self._save(scenario)
        return decision

    def _save(self, scenario: Scenario) -> None:
        """Save a change to a scenario that another writer may have changed meanwhile."""
        try:
            self.save(scenario)
        except IntegrityError:
            raise ConcurrencyConflict(
                "scenario", scenario.name, expected=None, current=None
            ) from None

    def position_at(self, known_at: datetime | None) -> tuple[int, datetime]:
        """The main log's last position recorded at or before ``known_at``, and that
        instant; now and the last position when None."""
        recorder = self.ledger.recorder
        last = recorder.max_notification_id() or 0
        if known_at is None:
            return last, self.ledger.clock.now()
        if last == 0:
            return 0, known_at
        low, high = 0, last  # the answer lies in [low, high]; recorded times grow
        while low < high:
            middle = (low + high + 1) // 2
            at = self._recorded_at(middle)
            if at is not None and at <= known_at:
                low = middle
            else:
                high = middle - 1
        return low, known_at

    def _recorded_at(self, position: int) -> datetime | None:
        page = self.ledger.recorder.select_notifications(position, 1)
        if not page:
            return None
        found: Any = self.ledger.mapper.to_domain_event(page[0])
        recorded: datetime = found.timestamp
        return recorded


def command_of(hypothesis: dict[str, Any], *, decision: str | None = None) -> Command:
    """The ledger command a hypothesis names, parsed from its raw fields."""
    cls = COMMANDS.get((hypothesis["area"], hypothesis["action"]))
    if cls is None:
        raise InvalidInput("command", f"no command {hypothesis['area']} {hypothesis['action']}")
    fields = dict(hypothesis.get("fields", {}))
    if decision is not None and cls is not TakeDecision:  # a decision attaches to none
        fields["decision"] = decision
    return cls(**fields)


def _label(hypothesis: dict[str, Any]) -> str:
    return f"{hypothesis['area']} {hypothesis['action']}"
