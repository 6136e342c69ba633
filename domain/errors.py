"""Typed domain errors: every refusal names what is wrong and the identifiers involved."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every refusal: a readable message plus machine-readable details.

    ``code`` is a stable slug (used by the API for problem types); ``details``
    holds the identifiers involved (codes, versions, dates) as plain values.
    """

    code = "domain-error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details

    def __str__(self) -> str:
        return self.message


class InvalidInput(DomainError):
    """A value is malformed: not a number, too many decimals, negative effort, bad code."""

    code = "invalid-input"

    def __init__(self, field: str, message: str, **details: Any) -> None:
        super().__init__(f"{field}: {message}", field=field, **details)
        self.field = field


class MissingRationale(InvalidInput):
    """Arbitrations, staffing changes and milestone shifts must say why."""

    code = "missing-rationale"

    def __init__(self, command: str) -> None:
        super().__init__("rationale", f"a rationale is required to record {command}")


class UnknownEntity(DomainError):
    """A command names something the ledger does not hold."""

    code = "unknown-entity"

    def __init__(self, kind: str, ref: str) -> None:
        super().__init__(f"unknown {kind} {ref!r}", kind=kind, ref=ref)
        self.kind = kind
        self.ref = ref


class AlreadyExists(DomainError):
    """A creation command reuses a code the ledger already holds."""

    code = "already-exists"

    def __init__(self, kind: str, ref: str) -> None:
        super().__init__(f"{kind} {ref!r} already exists", kind=kind, ref=ref)


class RuleViolation(DomainError):
    """A business rule refuses the command in the state the ledger holds."""

    code = "rule-violation"


class InsufficientFunds(RuleViolation):
    """A transfer or cut takes more than the envelope holds at that effective date."""

    code = "insufficient-funds"


class OverCapacity(RuleViolation):
    """Staffing would exceed a resource's capacity in a week."""

    code = "over-capacity"


class OutsideFiscalYear(RuleViolation):
    """An envelope movement is effective outside the envelope's fiscal year."""

    code = "outside-fiscal-year"


class InvalidTransition(RuleViolation):
    """The thing is not in a state that allows this change (e.g. shifting a reached milestone)."""

    code = "invalid-transition"


class NotInForce(RuleViolation):
    """The command is effective before the thing it changes existed."""

    code = "not-in-force"


class RetroactiveConflict(RuleViolation):
    """A back-dated command would invalidate an event already recorded at a later effective date."""

    code = "retroactive-conflict"

    def __init__(self, *, command: str, conflicting: dict[str, Any], reason: DomainError) -> None:
        described = (
            f"{conflicting['kind']} v{conflicting['version']} of {conflicting['subject']}"
            f" (effective {conflicting['effective_date']}, recorded {conflicting['recorded_at']}"
            f" by {conflicting['author']})"
        )
        super().__init__(
            f"{command} would invalidate the later recorded {described}: {reason.message}",
            conflicting_event=conflicting,
            reason=reason.message,
            reason_code=reason.code,
        )
        self.conflicting = conflicting
        self.reason = reason


class ConcurrencyConflict(DomainError):
    """The aggregate changed since the version the caller read."""

    code = "concurrency-conflict"

    def __init__(self, kind: str, ref: str, *, expected: int | None, current: int | None) -> None:
        if expected is None:
            message = f"{kind} {ref!r} kept changing under concurrent writers; try again"
        else:
            message = f"{kind} {ref!r} is at version {current}, not the expected version {expected}"
        super().__init__(message, kind=kind, ref=ref, expected=expected, current=current)
        self.current = current
        self.expected = expected


class ScenarioConflict(DomainError):
    """The main ledger changed what the scenario's hypotheses touch since its branch."""

    code = "scenario-conflict"

    def __init__(self, name: str, conflicts: list[str]) -> None:
        super().__init__(
            f"scenario {name} cannot be promoted: the ledger changed since its branch "
            f"position: {'; '.join(conflicts)} (rebase it first)",
            scenario=name,
            conflicts=conflicts,
        )
        self.conflicts = conflicts


class RebaseRefused(DomainError):
    """Hypotheses of a scenario no longer hold on the ledger's current position."""

    code = "rebase-refused"

    def __init__(self, name: str, refusals: list[str]) -> None:
        super().__init__(
            f"scenario {name} cannot be rebased: {'; '.join(refusals)}",
            scenario=name,
            refusals=refusals,
        )
        self.refusals = refusals
