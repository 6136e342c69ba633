"""Commands on resources: register, capacity calendar, rate, skills, departure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.commands import parse
from domain.commands.base import Command, arg, handles
from domain.enums import ResourceKind, Skill, Sourcing
from domain.model.portfolio import Perimeter
from domain.model.resource import Resource
from domain.timeline import Provenance
from domain.unit_of_work import UnitOfWork
from domain.values import Week, week_range


@dataclass(frozen=True, kw_only=True)
class RegisterResource(Command):
    """Register a person or a team pool, with skills, rate and weekly capacity."""

    area, action = "resource", "register"
    creates = True
    code: str = arg("resource code, e.g. ARCH-01", parse.code)
    name: str = arg("name of the person or team", parse.text())
    kind: ResourceKind = arg("person or team", parse.choice(ResourceKind), default="person")
    skills: list[Skill] = arg("skills offered", parse.choices(Skill))
    sourcing: Sourcing = arg("internal or external", parse.choice(Sourcing), default="internal")
    daily_rate: Decimal = arg("daily cost rate", parse.money)
    home_perimeter: str | None = arg(
        "code of the home perimeter (none: outside the portfolio, e.g. group IT)",
        parse.optional(parse.code),
        default=None,
    )
    weekly_capacity: Decimal = arg(
        "person-days available per week", parse.positive_days, default="5"
    )
    available_from: Week | None = arg(
        "first week available (default: the week of the effective date)",
        parse.optional(parse.week),
        default=None,
    )

    def summary(self) -> str:
        return f"Register resource {self.code}"


@handles(RegisterResource)
def register_resource(uow: UnitOfWork, cmd: RegisterResource, prov: Provenance) -> None:
    home = uow.get(Perimeter, cmd.home_perimeter).id if cmd.home_perimeter else None
    uow.require_absent(Resource, cmd.code)
    uow.add(
        Resource.register(
            prov,
            code=cmd.code,
            name=cmd.name,
            kind=cmd.kind,
            skills=cmd.skills,
            sourcing=cmd.sourcing,
            daily_rate=cmd.daily_rate,
            home_perimeter_id=home,
            weekly_capacity=cmd.weekly_capacity,
            available_from=cmd.available_from or Week.of(prov.effective_date),
        )
    )


@dataclass(frozen=True, kw_only=True)
class ChangeCapacity(Command):
    """Change a resource's base weekly capacity from a week on (part time, team size)."""

    area, action = "resource", "capacity"
    resource: str = arg("resource code", parse.code)
    from_week: Week = arg("first week of the new capacity", parse.week)
    days: Decimal = arg("person-days available per week", parse.days)

    def summary(self) -> str:
        return f"Capacity of {self.resource} from {self.from_week}: {self.days} days/week"


@handles(ChangeCapacity)
def change_capacity(uow: UnitOfWork, cmd: ChangeCapacity, prov: Provenance) -> None:
    resource = uow.get(Resource, cmd.resource, expected_version=cmd.expected_version)
    resource.change_capacity(prov, from_week=cmd.from_week, days=cmd.days)


@dataclass(frozen=True, kw_only=True)
class RecordAbsence(Command):
    """Record holidays or leave: days off per week over a range of weeks."""

    area, action = "resource", "absence"
    resource: str = arg("resource code", parse.code)
    first_week: Week = arg("first week of absence", parse.week)
    last_week: Week = arg("last week of absence", parse.week)
    days: Decimal = arg("days off per week", parse.positive_days)

    def validate(self) -> None:
        week_range(self.first_week, self.last_week)

    def summary(self) -> str:
        return f"Absence of {self.resource} {self.first_week} .. {self.last_week}"


@handles(RecordAbsence)
def record_absence(uow: UnitOfWork, cmd: RecordAbsence, prov: Provenance) -> None:
    resource = uow.get(Resource, cmd.resource, expected_version=cmd.expected_version)
    resource.record_absence(prov, first_week=cmd.first_week, last_week=cmd.last_week, days=cmd.days)


@dataclass(frozen=True, kw_only=True)
class ChangeRate(Command):
    """Change a resource's daily rate from the effective date."""

    area, action = "resource", "rate"
    resource: str = arg("resource code", parse.code)
    daily_rate: Decimal = arg("new daily cost rate", parse.money)

    def summary(self) -> str:
        return f"Daily rate of {self.resource}: {self.daily_rate}"


@handles(ChangeRate)
def change_rate(uow: UnitOfWork, cmd: ChangeRate, prov: Provenance) -> None:
    resource = uow.get(Resource, cmd.resource, expected_version=cmd.expected_version)
    resource.change_rate(prov, daily_rate=cmd.daily_rate)


@dataclass(frozen=True, kw_only=True)
class ChangeSkills(Command):
    """Restate the skills a resource offers."""

    area, action = "resource", "skills"
    resource: str = arg("resource code", parse.code)
    skills: list[Skill] = arg("skills offered", parse.choices(Skill))

    def summary(self) -> str:
        return f"Skills of {self.resource}"


@handles(ChangeSkills)
def change_skills(uow: UnitOfWork, cmd: ChangeSkills, prov: Provenance) -> None:
    resource = uow.get(Resource, cmd.resource, expected_version=cmd.expected_version)
    resource.change_skills(prov, skills=cmd.skills)


@dataclass(frozen=True, kw_only=True)
class RecordDeparture(Command):
    """Record that a resource leaves after a given week."""

    area, action = "resource", "leave"
    opens_decision = True
    resource: str = arg("resource code", parse.code)
    last_week: Week = arg("last week worked", parse.week)

    def summary(self) -> str:
        return f"{self.resource} leaves after {self.last_week}"


@handles(RecordDeparture)
def record_departure(uow: UnitOfWork, cmd: RecordDeparture, prov: Provenance) -> None:
    resource = uow.get(Resource, cmd.resource, expected_version=cmd.expected_version)
    resource.leave(prov, last_week=cmd.last_week)
