"""People week by week: timesheets (some late, some corrected), holidays, rates, departures."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from api.demo import catalogue as cat
from api.demo.context import Demo, ResourcePlan, round_half
from api.demo.delivery import staff
from domain import commands as c
from domain.enums import Forum, Skill, Sourcing
from domain.values import Week

SEVEN = Decimal(7)


def _lines(demo: Demo, resource: ResourcePlan, week: Week) -> dict[str, Decimal]:
    planned = resource.load.get(week, {})
    lines: dict[str, Decimal] = {}
    for project, days in planned.items():
        logged = round_half(float(days) * demo.rng.choice((0.8, 0.9, 1.0, 1.0, 1.0, 1.1)))
        if logged > 0:
            lines[project] = logged
    ceiling = SEVEN if resource.kind == "person" else resource.capacity * SEVEN / 5
    while lines and sum(lines.values()) > ceiling:
        biggest = max(lines, key=lambda p: lines[p])
        lines[biggest] -= Decimal("0.5")
    return {p: d for p, d in lines.items() if d > 0}


def submit_week(demo: Demo, week: Week) -> None:
    """Friday evening: most people submit their week; some will do it days or weeks late."""
    friday = week.monday + timedelta(days=4)
    for resource in demo.resources.values():
        lines = _lines(demo, resource, week)
        if not lines:
            continue
        roll = demo.rng.random()
        if roll < 0.85:
            _submit(demo, resource, week, lines)
            continue
        late = 3 if roll < 0.97 else demo.rng.choice((10, 17))  # next Monday, or weeks later
        command = c.SubmitTimesheet(resource=resource.code, week=week, lines=lines)
        demo.deferred[friday + timedelta(days=late)].append((time(8, 30), command, resource.login))
        demo.remember_sheet(resource.code, week, lines)


def _submit(demo: Demo, resource: ResourcePlan, week: Week, lines: dict[str, Decimal]) -> None:
    if demo.do(c.SubmitTimesheet(resource=resource.code, week=week, lines=lines), resource.login):
        demo.remember_sheet(resource.code, week, lines)
        demo.to_approve.append((resource.code, week, resource.login))


def run_deferred(demo: Demo, day: date) -> None:
    """Late submissions due today, recorded in the order they were planned."""
    for moment, command, author in sorted(demo.deferred.pop(day, []), key=lambda d: d[0]):
        demo.at(day, moment.hour, moment.minute)
        if demo.do(command, author) and isinstance(command, c.SubmitTimesheet):
            demo.to_approve.append((command.resource, command.week, author))


def approve(demo: Demo) -> None:
    """Monday morning: managers approve what was submitted (a few wait another week)."""
    waiting = []
    for resource, week, _ in demo.to_approve:
        if demo.chance(0.05):
            waiting.append((resource, week, ""))
            continue
        demo.do(c.ApproveTimesheet(resource=resource, week=week), "delivery.manager")
    demo.to_approve = waiting


def correct_old_sheet(demo: Demo, week: Week) -> None:
    """Now and then a timesheet from weeks ago is corrected: a late, back-dated fact."""
    if not demo.chance(0.35 * demo.slices):
        return
    old_week = week + -demo.rng.randint(3, 8)
    candidates = demo.sheets_of_week.get(old_week)
    if not candidates:
        return
    resource_code = demo.rng.choice(candidates)
    lines = dict(demo.sheets[(resource_code, old_week)])
    project = demo.rng.choice(sorted(lines))
    lines[project] = max(
        Decimal("0.5"),
        lines[project] + demo.rng.choice((Decimal("-1"), Decimal("0.5"), Decimal("1"))),
    )
    if lines == demo.sheets[(resource_code, old_week)]:
        return
    resource = demo.resources[resource_code]
    if demo.do(
        c.CorrectTimesheet(
            resource=resource_code,
            week=old_week,
            lines=lines,
            rationale=demo.rng.choice(cat.CORRECTION_REASONS),
        ),
        resource.login,
    ):
        demo.sheets[(resource_code, old_week)] = lines
        demo.to_approve.append((resource_code, old_week, resource.login))


def plan_holidays(demo: Demo, year: int) -> None:
    """In May: everyone's summer weeks; teams lose a fifth of their capacity."""
    for resource in demo.resources.values():
        if resource.last_week is not None:
            continue
        if resource.kind == "team":
            first, weeks, days = Week.of(date(year, 7, 14)), 5, resource.capacity / 5
        else:
            first = Week.of(date(year, 7, 1)) + demo.rng.randint(0, 5)
            weeks, days = 3, resource.capacity
        last = first + (weeks - 1)
        if demo.do(
            c.RecordAbsence(resource=resource.code, first_week=first, last_week=last, days=days),
            resource.login,
        ):
            for w in first.until(last):
                resource.absences[w] = days


def yearly_rates(demo: Demo, year: int) -> None:
    """January: internal rates follow the salary review, effective 1 January."""
    for resource in demo.resources.values():
        if resource.sourcing == "internal" and resource.last_week is None:
            demo.do(
                c.ChangeRate(
                    resource=resource.code,
                    daily_rate=_raised_rate(demo, resource),
                    effective_date=date(year, 1, 1),
                    rationale="Annual salary review",
                ),
                "claire.dubois",
            )


def _raised_rate(demo: Demo, resource: ResourcePlan) -> Decimal:
    base = 900 if "architect" in resource.skills else 600 if resource.kind == "team" else 650
    return (Decimal(base) * Decimal("1.03")).quantize(Decimal("0.01"))


def departure(demo: Demo, week: Week) -> None:
    """A developer of each slice resigns; an external contractor takes over their projects."""
    for slice_index in range(demo.slices):
        leaving = [
            r for r in demo.people_with("developer", slice_index, "B2B") if r.kind == "person"
        ]
        if not leaving:
            continue
        person = leaving[0]
        last = week + 6
        demo.decision = None
        if not demo.do(
            c.RecordDeparture(resource=person.code, last_week=last, rationale="Resignation"),
            "claire.dubois",
        ):
            continue
        person.last_week = last
        code = f"EXT-DEV{slice_index + 2}{demo.suffix(slice_index)}"
        if not demo.do(
            c.RegisterResource(
                code=code,
                name=f"Contractor replacing {person.name}",
                skills=[Skill.DEVELOPER],
                sourcing=Sourcing.EXTERNAL,
                daily_rate=Decimal("1050.00"),
                home_perimeter=person.perimeter,
                available_from=last + 1,
            ),
            "claire.dubois",
        ):
            continue
        newcomer = ResourcePlan(
            code, f"Contractor for {person.name}", "person", ("developer",), person.perimeter,
            Decimal(5), "contractor" + str(slice_index), "external", slice_index,
        )  # fmt: skip
        demo.add_resource(newcomer)
        later = {p for w, projects in person.load.items() if w > last for p in projects}
        for project in sorted(later):
            weeks = sorted(w for w, ps in person.load.items() if w > last and project in ps)
            days = person.load[weeks[0]][project]
            if not demo.do(
                c.ReleaseResource(
                    resource=person.code, project=project, from_week=last + 1,
                    rationale="Leaves the company", decision=demo.decision,
                ),
                "claire.dubois",
            ):  # fmt: skip
                continue
            person.release(project, last + 1)
            plan = demo.projects[project]
            window = (last + 1, weeks[-1])
            staff(demo, plan, newcomer, window, float(days), "Replacement", "claire.dubois")


def raise_demands(demo: Demo, week: Week) -> None:
    """Demands on shared teams and architects arrive from outside the perimeter."""
    for slice_index in range(demo.slices):
        if not demo.chance(0.45):
            continue
        targets = [
            r
            for r in demo.slice_resources(slice_index)
            if r.perimeter in (None, "CTO") and r.last_week is None
        ]
        if not targets:
            continue
        target = demo.rng.choice(sorted(targets, key=lambda r: r.code))
        requester, title = demo.rng.choice(cat.DEMANDS)
        first = week + demo.rng.randint(2, 6)
        code = demo.next_code("DMD")
        if demo.do(
            c.RaiseDemand(
                code=code,
                resource=target.code,
                requester=requester,
                title=title,
                first_week=first,
                last_week=first + demo.rng.randint(2, 8),
                days=Decimal(demo.rng.choice((1, 2, 3)) * (3 if target.kind == "team" else 1)),
            ),
            "group.requests",
        ):
            demo.demands.append(code)


def answer_demands(demo: Demo) -> None:
    """At the steering committee: most demands are accepted, some declined."""
    for code in demo.demands:
        if demo.chance(0.7):
            demo.do(c.AcceptDemand(demand=code, forum=Forum.STEERING_COMMITTEE), demo.pmo())
        else:
            demo.do(
                c.DeclineDemand(
                    demand=code,
                    forum=Forum.STEERING_COMMITTEE,
                    rationale="No capacity left before the go-lives of the quarter",
                ),
                demo.pmo(),
            )
    demo.demands = []
