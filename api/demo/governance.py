"""Governance: monthly budget reviews, fortnightly steering committees, risks."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from api.demo import catalogue as cat
from api.demo.context import Demo, ProjectPlan, RiskPlan, round_money
from api.demo.people import answer_demands
from api.demo.setup import vote_next_year
from domain import commands as c
from domain.enums import EscalationLevel, Forum, Nature
from domain.values import Week

LEVELS = tuple(EscalationLevel)


def _funded(demo: Demo, year: int, slice_index: int) -> list[ProjectPlan]:
    return [p for p in demo.active_projects(slice_index) if year in p.fiscal_years]


def _transfer(
    demo: Demo, year: int, source: str, target: str, amount: Decimal, kind: str, **where: object
) -> None:
    """Record a transfer if the source can afford it; mirror the balances."""
    if amount <= 0 or demo.balances.get((source, year), Decimal(0)) < amount:
        return
    if demo.do(
        c.TransferBudget(
            fiscal_year=year,
            nature=Nature.CAPEX,
            amount=amount,
            rationale=demo.rng.choice(cat.ARBITRATION_REASONS[kind]),
            **where,  # type: ignore[arg-type]
        ),
        demo.pmo(),
    ):
        demo.balances[(source, year)] -= amount
        demo.balances[(target, year)] = demo.balances.get((target, year), Decimal(0)) + amount


def budget_review(demo: Demo, day: date) -> None:
    """First Tuesday of the month: arbitrations effective the first of the month."""
    year, first_of_month = day.year, day.replace(day=1)
    rng = demo.rng
    for slice_index in range(demo.slices):
        funded = _funded(demo, year, slice_index)
        if len(funded) < 2:
            continue
        where = {"forum": "budget-review", "effective_date": first_of_month}
        needy = rng.choice(funded)
        _transfer(
            demo, year, needy.perimeter, needy.code, round_money(rng.uniform(20000, 120000), 5000),
            "from_reserve", from_reserve=needy.perimeter, to_project=needy.code, **where,
        )  # fmt: skip
        late = [p for p in funded if any(m.forecast > p.end for m in p.milestones)] or funded
        saver = rng.choice(late)
        share = float(demo.balances.get((saver.code, year), Decimal(0))) * rng.uniform(0.05, 0.2)
        _transfer(
            demo, year, saver.code, saver.perimeter, round_money(share, 5000),
            "to_reserve", from_project=saver.code, to_reserve=saver.perimeter, **where,
        )  # fmt: skip
        siblings = [p for p in funded if p.programme == needy.programme and p is not needy]
        if siblings:
            giver = rng.choice(siblings)
            share = float(demo.balances.get((giver.code, year), Decimal(0))) * rng.uniform(
                0.05, 0.15
            )
            _transfer(
                demo, year, giver.code, needy.code, round_money(share, 5000),
                "transfer", from_project=giver.code, to_project=needy.code, **where,
            )  # fmt: skip
        if day.month in (3, 6, 9) and rng.random() < 0.7:
            _raise_or_cut(demo, year, rng.choice(funded), first_of_month)


def _raise_or_cut(demo: Demo, year: int, plan: ProjectPlan, effective: date) -> None:
    amount = round_money(demo.rng.uniform(20000, 80000), 5000)
    if demo.chance(0.5):
        if demo.do(
            c.RaiseBudget(
                reserve=plan.perimeter, fiscal_year=year, nature=Nature.CAPEX, amount=amount,
                rationale=demo.rng.choice(cat.ARBITRATION_REASONS["raise"]),
                forum=Forum.BUDGET_REVIEW, effective_date=effective,
            ),
            demo.pmo(),
        ):  # fmt: skip
            demo.balances[(plan.perimeter, year)] += amount
    elif demo.balances.get((plan.code, year), Decimal(0)) >= amount and demo.do(
        c.CutBudget(
            project=plan.code, fiscal_year=year, nature=Nature.CAPEX, amount=amount,
            rationale=demo.rng.choice(cat.ARBITRATION_REASONS["cut"]),
            forum=Forum.BUDGET_REVIEW, effective_date=effective,
        ),
        demo.pmo(),
    ):  # fmt: skip
        demo.balances[(plan.code, year)] -= amount


def steering_committee(demo: Demo, day: date, week: Week) -> None:
    """Every other Thursday: demands, escalated risks, a move of scarce skills, regularisations."""
    answer_demands(demo)
    _review_escalated_risks(demo)
    for slice_index in range(demo.slices):
        if demo.chance(0.5):
            _move_architect(demo, week, slice_index)
        if demo.chance(0.3) and day.month > 1:
            previous = (day.replace(day=1) - timedelta(days=1)).replace(day=1)
            funded = _funded(demo, day.year, slice_index)
            if funded:
                plan = demo.rng.choice(funded)
                _transfer(
                    demo, day.year, plan.perimeter, plan.code,
                    round_money(demo.rng.uniform(10000, 40000), 5000), "from_reserve",
                    from_reserve=plan.perimeter, to_project=plan.code,
                    forum=Forum.STEERING_COMMITTEE, effective_date=previous,
                )  # fmt: skip
    if day.month == 12 and day.day <= 14:
        vote_next_year(demo, day.year + 1)


def _move_architect(demo: Demo, week: Week, slice_index: int) -> None:
    rng = demo.rng
    architects = demo.people_with("architect", slice_index, None)
    if not architects:
        return
    architect = rng.choice(architects)
    current = [p for p in demo.active_projects(slice_index) if architect.code in p.staff]
    targets = [
        p for p in demo.active_projects(slice_index)
        if architect.code not in p.staff and Week.of(p.end) > week + 10
    ]  # fmt: skip
    if not current or not targets:
        return
    source, target = rng.choice(current), rng.choice(targets)
    first, last = week + 1, week + 8
    if source.staff[architect.code][1] < first:
        return
    days = min(Decimal(2), architect.available(first, last, source.code, target.code))
    if days < 1:
        return
    if demo.do(
        c.MoveResource(
            resource=architect.code, from_project=source.code, to_project=target.code,
            first_week=first, last_week=last, days=days,
            rationale=rng.choice(cat.MOVE_REASONS), forum=Forum.STEERING_COMMITTEE,
        ),
        demo.pmo(),
    ):  # fmt: skip
        architect.release(source.code, first)
        architect.plan(target.code, first, last, days)
        source.staff[architect.code] = (source.staff[architect.code][0], week, days)
        target.staff[architect.code] = (first, last, days)


def weekly_risks(demo: Demo, week: Week) -> None:
    """Wednesday: risks are raised, reassessed, escalated when exposure grows, closed."""
    rng = demo.rng
    for slice_index in range(demo.slices):
        active = demo.active_projects(slice_index)
        if not active:
            continue
        for _ in range(1 + (rng.random() < 0.3)):
            plan = rng.choice(active)
            title, response = rng.choice(cat.RISKS)
            code = demo.next_code("RSK")
            probability, impact = rng.choice((1, 2, 2, 3, 3, 4)), rng.choice((2, 2, 3, 3, 4, 5))
            if demo.do(
                c.RaiseRisk(
                    code=code, project=plan.code, title=title, probability=probability,
                    impact=impact, owner=f"{plan.perimeter} product owner", response=response,
                ),
                demo.pmo(),
            ):  # fmt: skip
                demo.risks[code] = RiskPlan(probability, impact, week.monday)
    for code, risk in list(demo.risks.items()):
        if (week.monday - risk.opened).days > 28 and rng.random() < 0.08:
            if demo.do(
                c.CloseRisk(risk=code, resolution=rng.choice(cat.RISK_RESOLUTIONS)), demo.pmo()
            ):
                del demo.risks[code]
            continue
        if rng.random() < 0.1:
            probability = max(1, min(5, risk.probability + rng.choice((-1, 1))))
            if probability != risk.probability and demo.do(
                c.ReassessRisk(risk=code, probability=probability, impact=risk.impact), demo.pmo()
            ):
                risk.probability = probability
        # Exposure 12+ goes to the programme, 16+ to the steering committee.
        wanted = 3 if risk.exposure >= 16 else 1 if risk.exposure >= 12 else 0
        if wanted > risk.level and demo.do(
            c.EscalateRisk(risk=code, level=LEVELS[wanted], rationale="Exposure grew"),
            demo.pmo(),
        ):
            risk.level = wanted


def _review_escalated_risks(demo: Demo) -> None:
    for code, risk in list(demo.risks.items()):
        if risk.level < 3:
            continue
        if demo.chance(0.5):
            if demo.do(
                c.CloseRisk(
                    risk=code,
                    resolution="Handled after the steering decision",
                    forum=Forum.STEERING_COMMITTEE,
                ),
                demo.pmo(),
            ):
                del demo.risks[code]
        elif demo.do(
            c.DeescalateRisk(
                risk=code,
                level=EscalationLevel.PROGRAMME,
                forum=Forum.STEERING_COMMITTEE,
                rationale="Response funded",
            ),
            demo.pmo(),
        ):
            risk.level = 1
