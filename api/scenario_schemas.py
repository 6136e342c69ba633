"""The shapes ``/scenarios`` takes (``…Create``) and answers (``…Public``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from api.schemas import IsoDate, IsoInstant

# Names are free text on the command line; over HTTP they travel in paths, so they are
# kept to letters (accented too), digits, spaces and common punctuation, without a
# leading or trailing space. Names are unique case-insensitively.
_CHARACTER = "A-Za-z0-9À-ÖØ-öø-ÿ"
NAME_PATTERN = rf"^[{_CHARACTER}](?:[{_CHARACTER} .,'()&+_-]{{0,78}}[{_CHARACTER}.,'()&+_-])?$"
NAME_EXAMPLE = "Wallets first"
ScenarioName = Annotated[
    str,
    Path(
        pattern=NAME_PATTERN,
        description="the scenario's name (case does not matter)",
        examples=[NAME_EXAMPLE],
    ),
]
Status = Literal["open", "promoted", "abandoned"]


class ScenarioCreate(BaseModel):
    """A new scenario: a branch of the ledger as it is now, or as it was known at
    ``known_at`` (its last position recorded by then)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": NAME_EXAMPLE, "rationale": "Before the backlog arbitration of March"},
                {"name": "As known at the budget review", "known_at": "2026-03-02T18:00:00Z"},
            ]
        },
    )

    name: str = Field(pattern=NAME_PATTERN, description="unique, case-insensitively")
    known_at: IsoInstant | None = Field(
        default=None, description="branch the ledger as known then (UTC if no zone; now)"
    )
    rationale: str = Field(default="", max_length=2000, description="what the scenario tries")


class ScenarioBase(BaseModel):
    """What every view of a scenario gives: its branch, status and author."""

    name: str = Field(examples=[NAME_EXAMPLE])
    status: Status
    position: int = Field(description="the branch position in the ledger's log", examples=[8612])
    branched_at: datetime = Field(description="the ledger as known at this instant")
    author: str = Field(examples=["claire.dubois"])
    rationale: str
    decision: str | None = Field(description="the decision it was promoted as", examples=[None])


class ScenarioSummary(ScenarioBase):
    """A scenario in the book, and how much it holds."""

    hypotheses: int = Field(examples=[2])
    evaluations: int = Field(examples=[1])


class HypothesisPublic(BaseModel):
    """A hypothesis: a ledger command tried on the branch, and what it did there."""

    number: int = Field(examples=[1])
    command: str = Field(examples=["budget transfer"])
    arguments: dict[str, Any] = Field(
        examples=[{"from_project": "PAY-A", "to_project": "PAY-B", "amount": "20000"}]
    )
    author: str = Field(examples=["marc.leroy"])
    summary: str = Field(examples=["Transfer 20000.00 capex from PAY-A/FY2026 to PAY-B/FY2026"])
    effective_date: date


class EvaluationPublic(BaseModel):
    """An evaluation kept with the scenario: who looked, when, at what."""

    what: str = Field(examples=["compare with plan of record"])
    author: str = Field(examples=["marc.leroy"])
    at: str = Field(examples=["2026-03-02T10:15:00+00:00"])
    summary: dict[str, Any]


class ScenarioPublic(ScenarioBase):
    """A scenario with its hypotheses (replayed on its branch), evaluations, and what the
    ledger changed since its branch that the hypotheses touch (while it is open)."""

    hypotheses: list[HypothesisPublic]
    evaluations: list[EvaluationPublic]
    conflicts: list[str] = Field(
        examples=[["envelope PAY-A/FY2026 is at version 5, 3 at the branch"]]
    )


class RecordedOnBranch(BaseModel):
    """An event a hypothesis recorded on the branch (never in the ledger)."""

    kind: str = Field(examples=["FundsTransferredOut"])
    subject: str = Field(examples=["envelope PAY-A/FY2026"])
    version: int = Field(examples=[4])


class HypothesisReceipt(BaseModel):
    """A hypothesis accepted by the ledger's rules on the branch, and kept."""

    scenario: str = Field(examples=[NAME_EXAMPLE])
    number: int = Field(examples=[1])
    command: str = Field(examples=["budget transfer"])
    summary: str
    effective_date: date
    author: str = Field(examples=["marc.leroy"])
    events: list[RecordedOnBranch]


class ScenarioAnswer(BaseModel):
    """Promoting or abandoning a scenario: why."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"rationale": "Steering committee"}]}
    )

    rationale: str = Field(min_length=1, max_length=2000, description="why (not blank)")


class ComparisonPublic(BaseModel):
    """Two worlds side by side: ``right`` (the scenario) against ``left``."""

    left: str = Field(examples=["plan of record"])
    right: str = Field(examples=[NAME_EXAMPLE])
    as_of: date
    scope: str = Field(examples=["programme PAY"])
    months: int = Field(description="months of capacity load compared", examples=[3])
    kpis: list[dict[str, Any]] = Field(description="headline figures on both sides, delta")
    milestones: list[dict[str, Any]] = Field(description="milestones whose forecast differs")
    budgets: list[dict[str, Any]] = Field(description="envelopes or forecasts that differ")
    capacity: list[dict[str, Any]] = Field(
        description="per skill and perimeter: capacity, demand, load and peak on both sides",
        examples=[
            [
                {
                    "by": "skill",
                    "group": "architect",
                    "capacity_days (plan of record)": 65.0,
                    "demand_days (plan of record)": 0.0,
                    "load_pct (plan of record)": 0.0,
                    "peak_load_pct (plan of record)": 0.0,
                    "capacity_days (Wallets first)": 65.0,
                    "demand_days (Wallets first)": 52.0,
                    "load_pct (Wallets first)": 80.0,
                    "peak_load_pct (Wallets first)": 80.0,
                    "demand_days (change)": 52.0,
                    "load_pct (change)": 80.0,
                }
            ]
        ],
    )


class ScenarioPlanCreate(BaseModel):
    """A planner run on the scenario's world (not recorded in the ledger)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"programme": "PAY", "horizon": 26, "time_limit_s": 10}]},
    )

    programme: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="only this one"
    )
    as_of: IsoDate | None = Field(default=None, description="the plan starts this week")
    horizon: int = Field(default=26, ge=1, le=156, description="weeks planned")
    time_limit_s: float = Field(default=10.0, ge=0.5, le=3600, description="solver seconds")
    workers: int = Field(default=2, ge=1, le=8, description="solver threads")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class ScenarioPlanPublic(BaseModel):
    """The planner's run on a scenario: its report and proposed staffing changes."""

    scenario: str = Field(examples=[NAME_EXAMPLE])
    report: dict[str, Any]
    staffing_changes: list[dict[str, Any]]
