"""The command base class, its declarative fields, and the registry of handlers.

A command is an immutable request to change the ledger. Its fields are declared with
:func:`arg`, which gives each a parser and a help text: constructing a command parses
and validates its raw input, so an invalid command cannot exist. The same declarations
drive the command line and the HTTP API, so every face offers the same commands.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from domain.commands import parse
from domain.enums import Forum
from domain.errors import InvalidInput

if TYPE_CHECKING:
    from domain.timeline import Provenance
    from domain.unit_of_work import UnitOfWork

_REQUIRED: Any = dataclasses.MISSING


def arg(help: str, parser: parse.Parser, *, default: Any = _REQUIRED) -> Any:
    """Declare a command field with its parser and help text."""
    return dataclasses.field(default=default, metadata={"help": help, "parse": parser})


@dataclass(frozen=True, kw_only=True)
class Command:
    """Base of every command: the provenance every recorded change carries.

    ``effective_date`` defaults to the day the ledger records the command;
    ``decision`` attaches the change to a decision already recorded, while ``forum``
    records a new decision taken in that forum. Commands that are decisions by nature
    (arbitrations, staffing changes, milestone shifts…) always record one, in the
    weekly PMO forum unless told otherwise.
    """

    area: ClassVar[str]
    action: ClassVar[str]
    requires_rationale: ClassVar[bool] = False
    opens_decision: ClassVar[bool] = False
    creates: ClassVar[bool] = False  # brings something new into the ledger
    recordable: ClassVar[bool] = True  # offered by `pmo record` (plan proposals are not)

    effective_date: date | None = arg(
        "date the change applies in the business world (default: today)",
        parse.optional(parse.a_date),
        default=None,
    )
    rationale: str = arg("why", parse.text(2000, required=False), default="")
    decision: str | None = arg(
        "code of a recorded decision this change belongs to",
        parse.optional(parse.code),
        default=None,
    )
    forum: Forum | None = arg(
        "forum where the decision was taken", parse.optional(parse.choice(Forum)), default=None
    )
    expected_version: int | None = arg(
        "refuse unless the target is still at this version (optimistic concurrency)",
        parse.optional(parse.int_between(0, 2**31)),
        default=None,
    )

    def __post_init__(self) -> None:
        for name, parser in _parsers(type(self)):
            object.__setattr__(self, name, parser(getattr(self, name), name))
        if self.decision is not None and self.forum is not None:
            raise InvalidInput("forum", "give either a decision to attach to or a forum, not both")
        if self.expected_version is not None and self.creates:
            raise InvalidInput(
                "expected_version",
                f"{self.command_name()} creates something new: there is no version to expect",
            )
        self.validate()

    def validate(self) -> None:
        """Cross-field checks of a command; fields are already parsed."""

    def summary(self) -> str:
        """A one-line description of the change, used as a decision's title."""
        return f"{self.area} {self.action}"

    def default_effective_date(self, today: date) -> date:
        """The effective date when none is given."""
        return today

    @classmethod
    def command_name(cls) -> str:
        """How the command is named in messages, e.g. ``budget transfer``."""
        return f"{cls.area} {cls.action}"


_PARSERS: dict[type[Command], tuple[tuple[str, parse.Parser], ...]] = {}


def _parsers(command: type[Command]) -> tuple[tuple[str, parse.Parser], ...]:
    """Each field's parser, looked up once per command class (commands are many)."""
    found = _PARSERS.get(command)
    if found is None:
        found = tuple(
            (spec.name, spec.metadata["parse"])
            for spec in dataclasses.fields(command)
            if "parse" in spec.metadata
        )
        _PARSERS[command] = found
    return found


C = TypeVar("C", bound=Command)
Handler = Callable[["UnitOfWork", Any, "Provenance"], None]
HANDLERS: dict[type[Command], Handler] = {}


def handles(command: type[C]) -> Callable[[Callable[[UnitOfWork, C, Provenance], None]], Any]:
    """Register the function that carries out ``command``."""

    def register(func: Callable[[UnitOfWork, C, Provenance], None]) -> Any:
        HANDLERS[command] = func
        return func

    return register


def exactly_one(**named: object) -> str:
    """Require exactly one of the named options; return the name of the one given."""
    given = [name for name, value in named.items() if value is not None]
    if len(given) != 1:
        options = ", ".join(named)
        field = given[1] if len(given) > 1 else next(iter(named))
        raise InvalidInput(field, f"give exactly one of {options}")
    return given[0]
