"""The portfolio as the PMO loads it on the first working day: tree, people, budgets, plans."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from api.demo import catalogue as cat
from api.demo.context import Demo, MilestonePlan, ProjectPlan, ResourcePlan, round_money, thursday
from domain import commands as c
from domain.enums import Forum, Nature, ResourceKind, Skill, Sourcing
from domain.values import Week

PERSON = Decimal(5)


def load_portfolio(demo: Demo, start: date) -> None:
    """Record the perimeters, then each slice's programmes, projects, people and budgets."""
    demo.at(start, 8)
    for code, name in cat.PERIMETERS:
        demo.do(c.OpenPerimeter(code=code, name=name), "claire.dubois")
    for index in range(demo.slices):
        _resources(demo, index)
        _programmes(demo, index, start)
        _envelopes(demo, index, start.year, effective=date(start.year, 1, 1))
        _dependencies(demo, index)


def _resources(demo: Demo, slice_index: int) -> None:
    rng, suffix = demo.rng, demo.suffix(slice_index)
    people: list[tuple[str, str, tuple[str, ...], str | None, Decimal, str]] = []
    for home, _ in cat.PERIMETERS:
        main = "data" if home == "DATA" else "ops" if home == "CTO" else "developer"
        people.append((f"{home}-PO", "person", ("product",), home, PERSON, "internal"))
        people.append((f"{home}-DEV1", "person", (main, "qa"), home, PERSON, "internal"))
        people.append((f"{home}-DEV2", "person", (main,), home, PERSON, "internal"))
        people.append(
            (
                f"{home}-SQUAD",
                "team",
                (main, "developer", "qa"),
                home,
                Decimal(20),
                "internal",
            )
        )
    people += [
        ("ARCH-1", "person", ("architect",), "CTO", PERSON, "internal"),
        ("ARCH-2", "person", ("architect", "data"), "CTO", PERSON, "internal"),
        ("ARCH-3", "person", ("architect", "security"), "CTO", PERSON, "internal"),
        ("SEC-EXPERT", "person", ("security",), "CTO", PERSON, "internal"),
        ("UX-1", "person", ("ux",), "B2C", PERSON, "internal"),
        ("EXT-DEV1", "person", ("developer",), "B2B", PERSON, "external"),
        ("EXT-DATA1", "person", ("data",), "DATA", PERSON, "external"),
        ("PMO-DEPLOY", "team", ("pmo-deploy",), "CTO", Decimal(15), "internal"),
        ("CTO-OPS", "team", ("ops",), "CTO", Decimal(15), "internal"),
        ("GROUP-IT", "team", ("ops", "security"), None, Decimal(25), "internal"),
    ]
    for base, kind, skills, perimeter, capacity, sourcing in people:
        code = base + suffix
        if kind == "team":
            name = f"{base.replace('-', ' ').title()} team{suffix}"
            login = "team.lead" + suffix.lower()
        else:
            first, last = rng.choice(cat.FIRST_NAMES), rng.choice(cat.LAST_NAMES)
            name = f"{first} {last}"
            login = f"{first[0]}.{last}".lower().replace("é", "e").replace("è", "e")
        rate = _rate(rng, kind, skills, sourcing)
        registered = demo.do(
            c.RegisterResource(
                code=code,
                name=name,
                kind=ResourceKind(kind),
                skills=[Skill(s) for s in skills],
                sourcing=Sourcing(sourcing),
                daily_rate=rate,
                home_perimeter=perimeter,
                weekly_capacity=capacity,
            ),
            "claire.dubois",
        )
        if registered:
            demo.add_resource(
                ResourcePlan(
                    code, name, kind, skills, perimeter, capacity, login, sourcing, slice_index
                )
            )


def _rate(rng: random.Random, kind: str, skills: tuple[str, ...], sourcing: str) -> Decimal:
    base = 900 if "architect" in skills else 1000 if sourcing == "external" else 650
    if kind == "team":
        base = 600
    return Decimal(base + rng.randint(-4, 4) * 10).quantize(Decimal("0.01"))


def _programmes(demo: Demo, slice_index: int, start: date) -> None:
    rng, suffix = demo.rng, demo.suffix(slice_index)
    project_number = 0
    for programme in cat.PROGRAMMES:
        code = programme.code + suffix
        demo.do(
            c.OpenProgramme(code=code, name=programme.name, perimeter=programme.perimeter),
            "claire.dubois",
        )
        for spec in programme.projects:
            offset = _start_offset(project_number, rng)
            project_number += 1
            duration = rng.randint(30, 64)
            begins = Week.of(start) + offset
            plan = ProjectPlan(
                code=spec.code + suffix,
                name=spec.name,
                programme=code,
                perimeter=programme.perimeter,
                slice=slice_index,
                skills=spec.skills,
                start=begins.monday,
                end=(begins + duration).sunday,
            )
            opened = demo.do(
                c.OpenProject(
                    code=plan.code,
                    name=plan.name,
                    programme=code,
                    start=plan.start,
                    end=plan.end,
                    effective_date=min(plan.start, start),
                ),
                "claire.dubois",
            )
            if opened:
                demo.add_project(plan)
                _milestones(demo, plan, begins, duration, start)


def _start_offset(number: int, rng: random.Random) -> int:
    """A third of the projects already run, a third start this year, the rest next year."""
    if number % 3 == 0:
        return rng.randint(-30, -6)
    if number % 3 == 1:
        return rng.randint(1, 44)
    return rng.randint(50, 80)


def _milestones(demo: Demo, plan: ProjectPlan, begins: Week, duration: int, start: date) -> None:
    for code, name, fraction, priority in cat.MILESTONES:
        day = thursday(begins + round(duration * fraction))
        if day < start + timedelta(days=14):
            continue  # reached before the ledger was set up
        if demo.do(
            c.PlanMilestone(
                project=plan.code,
                milestone=code,
                name=name,
                baseline=day,
                priority=priority,
                effective_date=min(plan.start, start) if plan.start < start else start,
            ),
            "claire.dubois",
        ):
            plan.milestones.append(MilestonePlan(code, day, priority))


def _envelopes(demo: Demo, slice_index: int, year: int, effective: date) -> None:
    """Vote the fiscal year's envelopes of every project running that year, and reserves.

    The perimeters' reserves are shared by every slice: the first slice opens them,
    the others raise them by their own share.
    """
    rng = demo.rng
    first, last = date(year, 1, 1), date(year, 12, 31)
    per_perimeter: dict[str, Decimal] = {}
    for plan in demo.slice_projects(slice_index):
        if plan.end < first or plan.start > last:
            continue
        weeks = (min(plan.end, last) - max(plan.start, first)).days / 7
        total = round_money(weeks * rng.uniform(9000, 16000), 5000)
        capex = round_money(float(total) * rng.uniform(0.55, 0.8), 1000)
        opex = total - capex
        if demo.do(
            c.OpenEnvelope(
                project=plan.code,
                fiscal_year=year,
                capex=capex,
                opex=opex,
                effective_date=effective,
                forum=Forum.STEERING_COMMITTEE,
                rationale=f"Budget FY{year} voted",
            ),
            "claire.dubois",
        ):
            plan.fiscal_years.add(year)
            demo.balances[(plan.code, year)] = capex
            per_perimeter[plan.perimeter] = per_perimeter.get(plan.perimeter, Decimal(0)) + total
    for perimeter, total in per_perimeter.items():
        reserve = round_money(float(total) * 0.08, 5000)
        if slice_index == 0 and demo.do(
            c.OpenEnvelope(
                reserve=perimeter,
                fiscal_year=year,
                capex=reserve,
                effective_date=effective,
                forum=Forum.STEERING_COMMITTEE,
                rationale=f"Reserve FY{year} voted",
            ),
            "claire.dubois",
        ):
            demo.balances[(perimeter, year)] = reserve
        elif slice_index > 0 and reserve > 0:  # a slice's few projects may add no share
            demo.do(
                c.RaiseBudget(
                    reserve=perimeter,
                    fiscal_year=year,
                    nature=Nature.CAPEX,
                    amount=reserve,
                    effective_date=effective,
                    forum=Forum.STEERING_COMMITTEE,
                    rationale=f"Reserve FY{year} grows with slice {slice_index + 1}",
                ),
                "claire.dubois",
            )
            demo.balances[(perimeter, year)] = demo.balances.get((perimeter, year), 0) + reserve


def vote_next_year(demo: Demo, year: int) -> None:
    """At the December steering committee: next fiscal year's envelopes, effective 1 January."""
    for index in range(demo.slices):
        _envelopes(demo, index, year, effective=date(year, 1, 1))


def _dependencies(demo: Demo, slice_index: int) -> None:
    rng = demo.rng
    plans = [p for p in demo.slice_projects(slice_index) if p.milestones]
    for plan in plans:
        if not rng.random() < 0.8:
            continue
        dependent = rng.choice(plan.milestones)
        code = demo.next_code("DEP")
        if rng.random() < 0.5:
            others = [
                (o, m)
                for o in plans
                if o.code != plan.code
                for m in o.milestones
                if m.forecast < dependent.forecast
            ]
            if not others:
                continue
            other, needed = rng.choice(others)
            ok = demo.do(
                c.DeclareDependency(
                    code=code,
                    milestone=f"{plan.code}/{dependent.code}",
                    on_milestone=f"{other.code}/{needed.code}",
                    description=f"{plan.name} needs {other.name} ({needed.code})",
                ),
                "marc.leroy",
            )
            if ok:
                demo.dependencies[code] = (f"{other.code}/{needed.code}", plan.code, None)
        else:
            platform = rng.choice(cat.PLATFORMS + cat.COMPONENTS)
            needed_by = dependent.forecast - timedelta(days=14)
            outside = platform in cat.PLATFORMS
            ok = demo.do(
                c.DeclareDependency(
                    code=code,
                    milestone=f"{plan.code}/{dependent.code}",
                    needed_by=needed_by,
                    description=f"{platform} ready for {plan.name}",
                    on_platform=platform if outside else None,
                    on_component=None if outside else platform,
                ),
                "marc.leroy",
            )
            if ok:
                demo.dependencies[code] = (platform, plan.code, needed_by)
