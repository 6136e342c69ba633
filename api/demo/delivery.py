"""Delivery week by week: kick-offs, milestones reached or slipping, closures, backlog."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from api.demo import catalogue as cat
from api.demo.context import Demo, MilestonePlan, ProjectPlan, ResourcePlan, round_half
from domain import commands as c
from domain.enums import Forum, Maturity, Skill
from domain.values import Effort, Week

MATURING = {"idea": "refined", "refined": "ready"}


def staff(
    demo: Demo,
    plan: ProjectPlan,
    resource: ResourcePlan,
    weeks: tuple[Week, Week],
    days: float,
    rationale: str,
    author: str,
) -> bool:
    """Staff within what the resource has free; join the decision already opened, if any."""
    first, last = weeks
    room = resource.available(first, last, plan.code)
    granted = min(round_half(days), round_half(float(room) - 0.25))
    if granted <= 0:
        return False
    ok = demo.do(
        c.StaffResource(
            resource=resource.code,
            project=plan.code,
            first_week=first,
            last_week=last,
            days=granted,
            rationale=rationale,
            decision=demo.decision,
        ),
        author,
    )
    if ok:
        resource.plan(plan.code, first, last, granted)
        plan.staff[resource.code] = (first, last, granted)
    return ok


def kick_off(demo: Demo, plan: ProjectPlan, first: Week) -> None:
    """Staff a starting project and fill its backlog."""
    plan.kicked_off = True
    last = Week.of(plan.end)
    if last < first:
        return
    demo.decision = None
    rationale = f"Kick-off staffing of {plan.name}"
    author = demo.pmo()
    needs: list[tuple[str, float]] = [("product", 1.0)]
    needs += [(skill, 3.0 if i == 0 else 1.5) for i, skill in enumerate(plan.skills)]
    for skill, days in needs:
        candidates = demo.people_with(skill, plan.slice, plan.perimeter)
        if not candidates:
            continue
        best = max(candidates[:3], key=lambda r: r.free(first))
        wanted = days * 3 if best.kind == "team" else days
        staff(demo, plan, best, (first, last), wanted, rationale, author)
    pilot = next((m for m in plan.milestones if m.code == "PILOT"), None)
    architects = demo.people_with("architect", plan.slice, None)
    if architects and pilot and Week.of(pilot.forecast) > first:
        architect = max(architects, key=lambda r: r.free(first))
        staff(demo, plan, architect, (first, Week.of(pilot.forecast)), 1, rationale, author)
    go_live = next((m for m in plan.milestones if m.code == "GO-LIVE"), None)
    deploy = demo.people_with("pmo-deploy", plan.slice, None)
    if deploy and pilot and go_live:
        window = (max(first, Week.of(pilot.forecast) + -4), Week.of(go_live.forecast) + 2)
        staff(demo, plan, deploy[0], window, 2, "Deployment support for the roll-out", author)
    _fill_backlog(demo, plan)


def _fill_backlog(demo: Demo, plan: ProjectPlan) -> None:
    rng = demo.rng
    for rank in range(1, rng.randint(8, 12) + 1):
        add_item(demo, plan, rank, "ready" if rank <= 3 else "refined" if rank <= 7 else "idea")


def add_item(demo: Demo, plan: ProjectPlan, rank: int, maturity: str) -> None:
    """Add one backlog item serving one of the project's open milestones."""
    rng = demo.rng
    code = f"{plan.code}-{plan.next_item}"
    plan.next_item += 1
    effort = {plan.skills[0]: rng.randint(5, 40)}
    if len(plan.skills) > 1 and rng.random() < 0.6:
        effort[plan.skills[1]] = rng.randint(2, 15)
    open_milestones = plan.open_milestones()
    milestone = open_milestones[rank % len(open_milestones)].code if open_milestones else None
    if demo.do(
        c.AddBacklogItem(
            code=code,
            project=plan.code,
            title=f"{rng.choice(cat.BACKLOG_THEMES)} ({plan.name})",
            effort=_effort(effort),
            rank=rank,
            maturity=Maturity(maturity),
            milestone=milestone,
        ),
        "product.owner",
    ):
        plan.backlog[code] = maturity
        plan.ranks[code] = rank


def _effort(days: dict[str, int]) -> Effort:
    return Effort({Skill(skill): Decimal(n) for skill, n in days.items()})


def weekly_delivery(demo: Demo, week: Week) -> None:
    """Monday's PMO weekly: kick-offs, last week's milestones, early warnings, closures."""
    for plan in list(demo.projects.values()):
        if not plan.kicked_off and Week.of(plan.start) <= week:
            kick_off(demo, plan, week)
    today = demo.clock.today()
    for plan in demo.active_projects():
        for milestone in plan.open_milestones():
            if milestone.forecast < week.monday:
                _reach_or_slip(demo, plan, milestone, today)
    for plan in demo.active_projects():
        upcoming = [m for m in plan.open_milestones() if 21 <= (m.forecast - today).days <= 84]
        if upcoming and demo.chance(0.02):
            _shift(demo, plan, demo.rng.choice(upcoming), demo.rng.randint(1, 4), today)
    for plan in demo.active_projects():
        _maybe_close(demo, plan, week)


def _reach_or_slip(demo: Demo, plan: ProjectPlan, milestone: MilestonePlan, today: date) -> None:
    if demo.chance(0.68):
        if demo.do(
            c.ReachMilestone(
                project=plan.code, milestone=milestone.code, effective_date=milestone.forecast
            ),
            demo.pmo(),
        ):
            milestone.reached = True
            _meet_dependencies_on(demo, f"{plan.code}/{milestone.code}")
        return
    _shift(demo, plan, milestone, demo.rng.randint(1, 6), today)


def _shift(
    demo: Demo, plan: ProjectPlan, milestone: MilestonePlan, weeks: int, today: date
) -> None:
    """Shift a milestone and the later ones by the same delay, in one decision."""
    delay = timedelta(weeks=weeks)
    while milestone.forecast + delay <= today:
        delay += timedelta(weeks=1)
    forum = "steering-committee" if weeks >= 4 else "weekly"
    author = demo.pmo()
    demo.decision = None
    moved = [m for m in plan.open_milestones() if m.forecast >= milestone.forecast]
    for index, target in enumerate(moved):
        command = c.ShiftMilestone(
            project=plan.code,
            milestone=target.code,
            forecast=target.forecast + delay,
            rationale=demo.rng.choice(cat.SHIFT_REASONS)
            if index == 0
            else f"Knock-on of the {milestone.code} shift",
            **({"decision": demo.decision} if index else {"forum": forum}),
        )
        if not demo.do(command, author):
            return
        target.forecast += delay
    go_live = max((m.forecast for m in plan.milestones), default=plan.end)
    if go_live + timedelta(weeks=2) > plan.end:
        _extend(demo, plan, go_live + timedelta(weeks=3), author)


def _extend(demo: Demo, plan: ProjectPlan, new_end: date, author: str) -> None:
    """Move the project's end and extend its staffing to it, in the same decision."""
    old_last = Week.of(plan.end)
    if not demo.do(
        c.RescheduleProject(
            project=plan.code,
            start=plan.start,
            end=new_end,
            rationale="Go-live moved beyond the planned end",
            decision=demo.decision,
        ),
        author,
    ):
        return
    plan.end = new_end
    new_last = Week.of(new_end)
    for code, (_, last, days) in list(plan.staff.items()):
        resource = demo.resources.get(code)
        if resource is not None and last == old_last and new_last > old_last:
            staff(
                demo, plan, resource, (old_last + 1, new_last), float(days),
                "Staffing extended with the project", author,
            )  # fmt: skip


def _maybe_close(demo: Demo, plan: ProjectPlan, week: Week) -> None:
    if plan.open_milestones() or not plan.milestones:
        return
    last_reached = max(m.forecast for m in plan.milestones)
    if (week.monday - last_reached).days < 14:
        return
    demo.decision = None
    if not demo.do(
        c.CloseProject(project=plan.code, rationale="All milestones delivered"), demo.pmo()
    ):
        return
    plan.closed = True
    for code in plan.staff:
        resource = demo.resources.get(code)
        if (
            resource is not None
            and resource.staffed_from(plan.code, week)
            and demo.do(
                c.ReleaseResource(
                    resource=code,
                    project=plan.code,
                    from_week=week,
                    rationale="Project closed",
                    decision=demo.decision,
                ),
                demo.pmo(),
            )
        ):
            resource.release(plan.code, week)


def _meet_dependencies_on(demo: Demo, prerequisite: str) -> None:
    for code, (needed, _, _) in list(demo.dependencies.items()):
        if needed == prerequisite and demo.do(c.MeetDependency(dependency=code), "marc.leroy"):
            del demo.dependencies[code]


def platform_dependencies(demo: Demo, today: date) -> None:
    """Platforms and components arrive on time, or their date moves."""
    for code, (needed, project, needed_by) in list(demo.dependencies.items()):
        if needed_by is None or needed_by > today:
            continue
        if demo.chance(0.6):
            if demo.do(c.MeetDependency(dependency=code), "marc.leroy"):
                del demo.dependencies[code]
        else:
            later = today + timedelta(weeks=demo.rng.randint(2, 6))
            if demo.do(
                c.ChangeNeededBy(dependency=code, needed_by=later, rationale=f"{needed} late"),
                "marc.leroy",
            ):
                demo.dependencies[code] = (needed, project, later)


def backlog_week(demo: Demo) -> None:
    """Wednesday's backlog work: items mature, get done, move in the ranking, appear."""
    rng = demo.rng
    for plan in demo.active_projects():
        open_items = {k: v for k, v in plan.backlog.items() if v in MATURING or v == "ready"}
        if not open_items:
            continue
        item = rng.choice(sorted(open_items))
        state = open_items[item]
        if state in MATURING and rng.random() < 0.5:
            if demo.do(
                c.ChangeBacklogMaturity(item=item, maturity=Maturity(MATURING[state])),
                "product.owner",
            ):
                plan.backlog[item] = MATURING[state]
        elif state == "ready" and rng.random() < 0.5:
            if demo.do(c.CompleteBacklogItem(item=item), "product.owner"):
                plan.backlog[item] = "done"
        elif rng.random() < 0.2:
            rank = rng.randint(1, len(plan.backlog))
            if rank != plan.ranks.get(item) and demo.do(
                c.ReprioritiseBacklogItem(item=item, rank=rank, forum=Forum.TEAM), "product.owner"
            ):
                plan.ranks[item] = rank
        elif rng.random() < 0.2:
            effort = {plan.skills[0]: rng.randint(5, 45)}
            demo.do(c.ReestimateBacklogItem(item=item, effort=_effort(effort)), "product.owner")
        if rng.random() < 0.15:
            add_item(demo, plan, len(plan.backlog) + 1, "idea")
