"""Where the ledger is stored: one setting, a SQLite path or a ``postgresql://`` URL.

``PMO_DATABASE`` (or ``--database``) names the store; this module turns it into the
eventsourcing library's persistence settings, and registers how the domain's value
types are written into stored events.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.enums import ALL_ENUMS
from domain.values import DaysByProject, Document, Effort, Endpoint, StaffingChanges, Week

DEFAULT_DATABASE = "./pmo-ledger.db"
DATABASE_VARIABLE = "PMO_DATABASE"


class StoreConfigurationError(ValueError):
    """The store setting cannot be understood."""


@dataclass(frozen=True)
class Store:
    """A resolved store: its kind, a display name without secrets, and library settings."""

    kind: str
    display: str
    env: dict[str, str]

    @property
    def is_postgres(self) -> bool:
        """Whether the store is a shared PostgreSQL database."""
        return self.kind == "postgresql"


def database_setting(explicit: str | None = None) -> str:
    """The store named by ``--database``, else ``PMO_DATABASE``, else ``./pmo-ledger.db``."""
    return explicit or os.environ.get(DATABASE_VARIABLE) or DEFAULT_DATABASE


def resolve_store(database: str) -> Store:
    """Turn a SQLite path or a ``postgresql://`` URL into the library's settings."""
    if database.startswith(("postgresql://", "postgres://")):
        return _postgres(database)
    if "://" in database:
        scheme = database.split("://", 1)[0]
        raise StoreConfigurationError(
            f"unsupported store {scheme!r}: use a SQLite file path or a postgresql:// URL"
        )
    return _sqlite(database)


def _sqlite(path: str) -> Store:
    file = Path(path).expanduser().resolve()
    if not file.parent.is_dir():
        raise StoreConfigurationError(f"the folder of the SQLite file {file} does not exist")
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(file),
        "SQLITE_LOCK_TIMEOUT": "30",
        "CREATE_TABLE": "n",  # the ledger creates its tables (see Ledger.construct_recorder)
        "APPLICATION_RECORDER_TOPIC": "domain.chain:ChainedSQLiteRecorder",
    }
    return Store("sqlite", str(file), env)


def _postgres(url: str) -> Store:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    unknown = set(query) - {"schema"}
    if unknown:
        raise StoreConfigurationError(f"unsupported PostgreSQL URL options: {sorted(unknown)}")
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname or not parts.hostname:
        raise StoreConfigurationError("a PostgreSQL URL needs a host and a database name")
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "POSTGRES_POOL_SIZE": "5",
        "POSTGRES_MAX_OVERFLOW": "10",
        "CREATE_TABLE": "n",  # the ledger creates its tables (see Ledger.construct_recorder)
        "APPLICATION_RECORDER_TOPIC": "domain.chain:ChainedPostgresRecorder",
    }
    schema = query.get("schema", [""])[0]
    if schema:
        env["POSTGRES_SCHEMA"] = schema
    user = env["POSTGRES_USER"]
    display = f"postgresql://{user}@{parts.hostname}:{env['POSTGRES_PORT']}/{dbname}"
    if schema:
        display += f"?schema={schema}"
    return Store("postgresql", display, env)


class _Codec(Protocol):
    def to_json(self) -> Any: ...


class DateAsISO(Transcoding):
    """Effective dates are stored as ISO text."""

    type = date
    name = "date"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class WeekAsISO(Transcoding):
    """Weeks are stored as ``2026-W12``."""

    type = Week
    name = "week"

    def encode(self, obj: Week) -> str:
        return str(obj)

    def decode(self, data: str) -> Week:
        return Week.parse(data)


class EnumAsValue(Transcoding):
    """A domain enum is stored as its value, under the enum's name."""

    def __init__(self, enum: type[Enum]) -> None:
        self.type = enum
        self.name = f"enum:{enum.__name__}"

    def encode(self, obj: Enum) -> Any:
        return obj.value

    def decode(self, data: Any) -> Enum:
        member: Enum = self.type(data)
        return member


class ValueAsJSON(Transcoding):
    """A value object with ``to_json``/``from_json`` is stored as that JSON."""

    def __init__(self, value_type: type[Any], name: str) -> None:
        self.type = value_type
        self.name = name
        self._from_json: Any = value_type.from_json

    def encode(self, obj: _Codec) -> Any:
        return obj.to_json()

    def decode(self, data: Any) -> Any:
        return self._from_json(data)


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    """Teach the library's JSON transcoder the domain's value types."""
    transcoder.register(DateAsISO())
    transcoder.register(WeekAsISO())
    for enum in ALL_ENUMS:
        transcoder.register(EnumAsValue(enum))
    transcoder.register(ValueAsJSON(Effort, "effort"))
    transcoder.register(ValueAsJSON(DaysByProject, "days_by_project"))
    transcoder.register(ValueAsJSON(Endpoint, "endpoint"))
    transcoder.register(ValueAsJSON(StaffingChanges, "staffing_changes"))
    transcoder.register(ValueAsJSON(Document, "document"))
