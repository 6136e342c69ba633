"""Request bodies of the ledger's commands, generated from the commands' own declarations.

Each command field is declared with a parser (domain/commands/base.py); each parser says
what it reads (``parse.spec_of``). This module turns that into a strict pydantic model
per command: what the OpenAPI schema publishes is exactly what is checked before the
command is built (422 with every offending field otherwise); the command's parsers then
check the rest (a date within the ledger's range, one of two fields, a range of weeks).
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    create_model,
)

from domain.commands import Command, parse

# Fields the HTTP API takes elsewhere: the expected version comes from If-Match.
OMITTED = frozenset({"expected_version"})
WEEK_PATTERN = r"^[0-9]{4}-W[0-9]{2}$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_EXAMPLES = {
    "code": "PAY-A",
    "text": "Wallets before the summer sales",
    "money": "5000",
    "days": "2.5",
    "date": "2026-03-02",
    "week": "2026-W12",
}


def _whole(value: Any) -> Any:
    """JSON Schema counts 3.0 as an integer; strict pydantic would not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def whole(low: int, high: int) -> Any:
    """An integer from ``low`` to ``high`` (2.0 counting as 2, as in JSON Schema)."""
    return Annotated[int, Field(ge=low, le=high), BeforeValidator(_whole)]


def _amount(spec: dict[str, Any]) -> Any:
    """Money or person-days: a decimal string with at most 2 decimals, or an integer."""
    maximum = int(spec["maximum"])
    digits = len(str(maximum)) - 1
    pattern = rf"^(0|[1-9][0-9]{{0,{digits - 1}}})(\.[0-9]{{1,2}})?$"
    as_text = Annotated[str, StringConstraints(pattern=pattern)]
    as_int = whole(1 if spec.get("positive") else 0, maximum)
    return as_int | as_text


def _choice(enum: Any) -> Any:
    return Literal[tuple(str(member.value) for member in enum)]


def field_type(spec: dict[str, Any]) -> Any:
    """The pydantic type of a value a parser reads."""
    kind = spec["kind"]
    if kind == "optional":
        return field_type(parse.spec_of(spec["inner"])) | None
    if kind == "code":
        return Annotated[str, StringConstraints(pattern=spec["pattern"])]
    if kind == "text":
        return Annotated[
            str, StringConstraints(max_length=spec["limit"], min_length=int(spec["required"]))
        ]
    if kind in ("money", "days"):
        return _amount(spec)
    if kind == "date":
        return Annotated[
            str,
            StringConstraints(pattern=DATE_PATTERN),
            WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
        ]
    if kind == "week":
        return Annotated[str, StringConstraints(pattern=WEEK_PATTERN)]
    if kind == "int":
        return whole(spec["low"], spec["high"])
    if kind == "choice":
        return _choice(spec["enum"])
    if kind == "choices":
        return Annotated[list[_choice(spec["enum"])], Field(min_length=1)]  # type: ignore[misc]
    if kind == "effort":
        from domain.enums import Skill

        days = _amount({"maximum": spec["maximum"]})
        return Annotated[dict[_choice(Skill), days], Field(min_length=1)]  # type: ignore[misc]
    if kind == "days_by_code":
        key = Annotated[str, StringConstraints(pattern=spec["pattern"])]
        days = _amount({"maximum": spec["maximum"]})
        # pydantic publishes the key pattern as patternProperties: other keys must be
        # refused by the schema too, as they are by the model.
        closed: dict[str, Any] = {"additionalProperties": False}
        return Annotated[dict[key, days], Field(min_length=1, json_schema_extra=closed)]  # type: ignore[valid-type]
    return str


def _example(spec: dict[str, Any]) -> Any:
    kind = spec["kind"]
    if kind == "optional":
        return _example(parse.spec_of(spec["inner"]))
    if kind == "int":
        return max(spec["low"], min(spec["high"], 2026 if spec["high"] >= 2026 else 3))
    if kind == "choice":
        return next(iter(spec["enum"])).value
    if kind == "choices":
        return [next(iter(spec["enum"])).value]
    if kind == "effort":
        return {"developer": "15", "security": "3"}
    if kind == "days_by_code":
        return {"PAY-A": "2", "PAY-B": "3"}
    if kind == "text":
        return _EXAMPLES["text"][: spec["limit"]]
    return _EXAMPLES.get(kind, "PAY-A")


def body_fields(command: type[Command]) -> list[dataclasses.Field[Any]]:
    """The command's fields a body carries: its own first, then the common ones."""
    common = {f.name for f in dataclasses.fields(Command)}
    own = [f for f in dataclasses.fields(command) if f.name not in common]
    shared = [f for f in dataclasses.fields(command) if f.name in common]
    return [f for f in own + shared if f.name not in OMITTED and "parse" in f.metadata]


_MODELS: dict[str, type[BaseModel]] = {}


def body_model(command: type[Command]) -> type[BaseModel]:
    """The strict request model of ``command`` (``TransferBudgetCreate``…), built once:
    the command routes and the scenario hypothesis routes share it (one schema each)."""
    key = f"{command.__module__}.{command.__qualname__}"
    found = _MODELS.get(key)
    if found is None:
        found = _MODELS[key] = _build_model(command)
    return found


def _build_model(command: type[Command]) -> type[BaseModel]:
    definitions: dict[str, Any] = {}
    example: dict[str, Any] = {}
    for spec in body_fields(command):
        parsed = parse.spec_of(spec.metadata["parse"])
        required = spec.default is dataclasses.MISSING
        description = str(spec.metadata.get("help", ""))
        if required:
            info: Any = Field(description=description)
            example[spec.name] = _example(parsed)
        else:
            info = Field(default=None, description=description)
        definitions[spec.name] = (field_type(parsed), info)
    if command.requires_rationale:
        example["rationale"] = _EXAMPLES["text"]
    doc = inspect.getdoc(command) or command.command_name()
    model: type[BaseModel] = create_model(
        f"{command.__name__}Create",
        __config__=ConfigDict(
            strict=True, extra="forbid", json_schema_extra={"examples": [example]}
        ),
        __doc__=doc,
        **definitions,
    )
    return model


def command_values(body: BaseModel) -> dict[str, Any]:
    """The body's values as the command's raw input (only the fields given)."""
    values = body.model_dump(exclude_unset=True)
    return {name: value for name, value in values.items() if value is not None}
