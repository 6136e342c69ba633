"""`pmo record AREA ACTION`: one sub-command per domain command, generated from its fields.

Each domain command declares its fields with a parser and a help text; this module
turns them into options (``--from-project``, repeated ``--skill`` …) and hands the raw
text to the command, which parses and validates it. So the command line offers
exactly the commands the ledger accepts, with the ledger's own error messages.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import typing
from collections.abc import Callable
from enum import Enum
from types import UnionType
from typing import Annotated, Any

import typer
from rich.markup import escape

from api.cli.common import Database, current_author, open_ledger, out, refusals
from domain.commands import ALL_COMMANDS, Command
from domain.ledger import Receipt

app = typer.Typer(
    help="Record a decision or a fact in the ledger.",
    no_args_is_help=True,
)

# Repeated options read better in the singular: --skill architect --skill data.
_SINGULAR = {"skills": "skill", "lines": "line"}
_LIST_TYPES = ("list", "dict", "Effort")
_METAVARS = {"date": "DATE", "Week": "WEEK", "Decimal": "NUMBER", "int": "N", "str": "TEXT"}
_AREAS = {
    "perimeter": "Open the perimeters of the portfolio.",
    "programme": "Open programmes in a perimeter.",
    "project": "Open, reschedule and close projects.",
    "milestone": "Plan, shift, reach and cancel milestones (jalons).",
    "resource": "Register people and teams; capacity, absences, rates, skills, departures.",
    "staffing": "Staff, release and move resources on projects.",
    "budget": "Open envelopes; arbitrations: transfer, raise, cut.",
    "timesheet": "Submit, approve and correct weekly timesheets.",
    "backlog": "Backlog items: add, re-estimate, rank, mature, link, complete, drop.",
    "dependency": "Dependencies on milestones, backlog items, platforms and components.",
    "demand": "Demands on a resource's time from outside its perimeter.",
    "risk": "Raise, reassess, respond to, escalate and close risks.",
    "decision": "Record a decision that later changes can attach to.",
}


def _is_repeated(annotation: Any) -> bool:
    names = {getattr(a, "__name__", str(a)) for a in (annotation, typing.get_origin(annotation))}
    return bool(names & set(_LIST_TYPES))


def _enum_of(annotation: Any) -> type[Enum] | None:
    candidates = (
        typing.get_args(annotation)
        if isinstance(annotation, UnionType) or typing.get_origin(annotation) is typing.Union
        else (annotation,)
    )
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return candidate
    return None


def _parameter(spec: dataclasses.Field[Any], annotation: Any) -> inspect.Parameter:
    required = spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
    help_text = str(spec.metadata.get("help", ""))
    flag = "--" + _SINGULAR.get(spec.name, spec.name).replace("_", "-")
    option_type: Any
    if _is_repeated(annotation):
        option_type = list[str] | None
        help_text += " (repeat the option, or separate with commas)"
    elif (enum := _enum_of(annotation)) is not None:
        option_type = enum | None
    else:
        option_type = str | None
    if not required and spec.default not in (None, "", dataclasses.MISSING):
        default = spec.default.value if isinstance(spec.default, Enum) else spec.default
        help_text += f" [default: {default}]"
    metavar = None
    if option_type in (str | None, list[str] | None):
        base = next((a for a in typing.get_args(annotation) if a is not type(None)), annotation)
        metavar = _METAVARS.get(getattr(base, "__name__", ""), "VALUE")
        if _is_repeated(annotation):
            metavar = "KEY=VALUE" if spec.name in ("lines", "effort") else "VALUE"
    option = typer.Option(flag, help=help_text, show_default=False, metavar=metavar)
    return inspect.Parameter(
        spec.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=inspect.Parameter.empty if required else None,
        annotation=Annotated[option_type, option],
    )


def _raw_values(command: type[Command], given: dict[str, Any]) -> dict[str, Any]:
    """The options the user gave, with repeated options split on commas."""
    values: dict[str, Any] = {}
    hints = typing.get_type_hints(command)
    for name, value in given.items():
        if value is None or value == []:
            continue
        if _is_repeated(hints[name]):
            value = [part.strip() for item in value for part in item.split(",") if part.strip()]
        values[name] = value
    return values


def _print_receipt(receipt: Receipt, as_json: bool) -> None:
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "command": receipt.command,
                    "summary": receipt.summary,
                    "decision": receipt.decision,
                    "effective_date": receipt.effective_date.isoformat(),
                    "recorded_at": receipt.recorded_at.isoformat(),
                    "events": [
                        {
                            "kind": e.kind,
                            "subject": e.subject,
                            "version": e.version,
                            "position": e.position,
                        }
                        for e in receipt.events
                    ],
                }
            )
        )
        return
    positions = [e.position for e in receipt.events if e.position is not None]
    where = ""
    if positions:
        low, high = min(positions), max(positions)
        where = f"position {low}" if low == high else f"positions {low}-{high}"
    decision = f", decision {receipt.decision}" if receipt.decision else ""
    versions = ", ".join(
        f"{e.subject} v{e.version}" for e in receipt.events if not e.subject.startswith("decision")
    )
    line = (
        f"{receipt.summary} (effective {receipt.effective_date}{decision}) -> {versions}; {where}"
    )
    out.print(f"[green]recorded[/] {escape(line)}")


def command_parameters(command: type[Command]) -> list[inspect.Parameter]:
    """One option per field of ``command``: its own fields, then the common ones."""
    hints = typing.get_type_hints(command)
    common = {s.name for s in dataclasses.fields(Command)}
    specs = [s for s in dataclasses.fields(command) if s.name not in common]
    specs += [s for s in dataclasses.fields(command) if s.name in common]
    return [_parameter(spec, hints[spec.name]) for spec in specs]


def receipt_parameters() -> list[inspect.Parameter]:
    """The options every recording command ends with: the store, and JSON output."""
    return [
        inspect.Parameter(
            "database", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Database
        ),
        inspect.Parameter(
            "json",
            inspect.Parameter.KEYWORD_ONLY,
            default=False,
            annotation=Annotated[bool, typer.Option("--json", help="print the receipt as JSON")],
        ),
    ]


def raw_values(command: type[Command], given: dict[str, Any]) -> dict[str, Any]:
    """The options given, as the text the command parses (enums as their values)."""
    values = _raw_values(command, given)
    return {k: v.value if isinstance(v, Enum) else v for k, v in values.items()}


def _make(command: type[Command]) -> Callable[..., None]:
    def run(**options: Any) -> None:
        database = options.pop("database")
        as_json = options.pop("json")
        with refusals():
            cmd = command(**_raw_values(command, options))
            with open_ledger(database) as ledger:
                receipt = ledger.execute(cmd, author=current_author())
        _print_receipt(receipt, as_json)

    parameters = [*command_parameters(command), *receipt_parameters()]
    run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    run.__doc__ = inspect.getdoc(command)
    run.__name__ = f"{command.area}_{command.action}".replace("-", "_")
    return run


def build_groups(target: typer.Typer, make: Callable[[type[Command]], Callable[..., None]]) -> None:
    """Add to ``target`` one group per area and one sub-command per recordable command,
    each made by ``make`` (``pmo record``; ``pmo scenario add`` reuses it)."""
    groups: dict[str, typer.Typer] = {}
    for command in ALL_COMMANDS:
        if not command.recordable:
            continue
        group = groups.get(command.area)
        if group is None:
            group = typer.Typer(help=_AREAS.get(command.area), no_args_is_help=True)
            groups[command.area] = group
            target.add_typer(group, name=command.area)
        summary = (inspect.getdoc(command) or "").splitlines()[0]
        group.command(name=command.action, help=inspect.getdoc(command), short_help=summary)(
            make(command)
        )


build_groups(app, _make)
