"""Proof that the log is unaltered: the chain recomputed, signed checkpoints checked.

``verify`` reads every stored event in log order, recomputes its link
(``domain.chain``) and compares it with the stored one. The first position where they
part is where the log was touched: an event modified, inserted or moved there changes
its link; an event deleted leaves a link without its event; an event added behind the
ledger's back has no link.

Someone who can rewrite the tables can also recompute every link. A *checkpoint* closes
that door: the log's size, last position and head link, signed with the ledger's
Ed25519 key, written to a file meant to be kept outside the database (a mail to the
auditor, a ticket, a WORM bucket). Verifying with checkpoints also checks that each one
is still a prefix of the log: not truncated, not rewritten and re-chained since.

The key is a PEM file (``PMO_LEDGER_KEY``, or beside a SQLite ledger ``<file>.key``,
else ``./pmo-ledger.key``), created at the first checkpoint, readable by its owner only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from eventsourcing.persistence import Notification

from domain.chain import BATCH, GENESIS, link
from domain.persistence import Store

KEY_VARIABLE = "PMO_LEDGER_KEY"


class ChainedRecorder(Protocol):
    """What verification needs of a recorder (``domain.chain``'s two)."""

    def select_notifications(
        self, start: int | None, limit: int, stop: int | None = None, topics: Sequence[str] = ()
    ) -> Sequence[Notification]: ...

    def select_links(self, after: int, limit: int) -> list[tuple[int, bytes]]: ...

    def max_notification_id(self) -> int | None: ...


@dataclass(frozen=True)
class Checkpoint:
    """The log's size, last position and head link at a moment, signed."""

    ledger: str
    size: int
    position: int
    head: str
    created_at: str
    public_key: str
    signature: str = ""

    def payload(self) -> bytes:
        """The signed bytes: every field but the signature, as canonical JSON."""
        fields = {k: v for k, v in asdict(self).items() if k != "signature"}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def to_json(self) -> str:
        """The checkpoint as a JSON document."""
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        """Read a checkpoint written by :meth:`to_json` (``ValueError`` if it is not one)."""
        try:
            data = json.loads(text)
            return cls(**{k: data[k] for k in cls.__dataclass_fields__})
        except (KeyError, TypeError, json.JSONDecodeError) as problem:
            raise ValueError(f"not a ledger checkpoint ({problem})") from problem

    def signed_correctly(self) -> bool:
        """Whether the signature is that of the public key the checkpoint names."""
        try:
            key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(self.public_key))
            key.verify(bytes.fromhex(self.signature), self.payload())
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Verification:
    """What verification found: the log's size and head, and the problems, first first."""

    size: int
    position: int
    head: bytes
    problems: tuple[str, ...] = ()
    first_bad: int | None = None

    @property
    def intact(self) -> bool:
        """Whether the log and every checkpoint agree."""
        return not self.problems


def key_path(store: Store, explicit: str | None = None) -> Path:
    """Where the ledger's signing key is kept (see the module's docstring)."""
    chosen = explicit or os.environ.get(KEY_VARIABLE)
    if chosen:
        return Path(chosen).expanduser()
    if store.is_postgres:
        return Path("pmo-ledger.key")
    return Path(f"{store.display}.key")


def load_key(path: Path, *, create: bool) -> Ed25519PrivateKey | None:
    """The signing key in ``path``; a new one written there (mode 600) if ``create``."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 key")
        return key
    if not create:
        return None
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    return key


def public_hex(key: Ed25519PrivateKey) -> str:
    """The public half of a key, as hex."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()


def checkpoint(
    recorder: ChainedRecorder, key: Ed25519PrivateKey, *, ledger: str, now: datetime
) -> Checkpoint:
    """A signed checkpoint of the log as it is (verified first: a broken log is refused)."""
    found = verify(recorder)
    if not found.intact:
        raise ValueError(f"the log does not verify, no checkpoint: {found.problems[0]}")
    if found.size == 0:
        raise ValueError("the log is empty: there is nothing to checkpoint yet")
    unsigned = Checkpoint(
        ledger, found.size, found.position, found.head.hex(), now.isoformat(), public_hex(key)
    )
    signature = key.sign(unsigned.payload()).hex()
    return Checkpoint(**{**asdict(unsigned), "signature": signature})


def verify(
    recorder: ChainedRecorder,
    checkpoints: Sequence[tuple[str, Checkpoint]] = (),
    *,
    public_key: str | None = None,
) -> Verification:
    """Recompute the chain over the whole log and check it against the stored links and
    the named checkpoints (``public_key``: the ledger's, when its key file is at hand)."""
    problems: list[str] = []
    first_bad: int | None = None
    for name, point in checkpoints:
        if not point.signed_correctly():
            problems.append(f"checkpoint {name}: the signature does not match its content")
        elif public_key is not None and point.public_key != public_key:
            problems.append(f"checkpoint {name}: signed with another key than the ledger's")
    wanted = {point.position: (name, point) for name, point in checkpoints}
    seen: dict[int, tuple[int, bytes]] = {}  # checkpoint position: (size, link) there
    size, position, previous = 0, 0, GENESIS
    # The log as it is now: what is recorded while verifying is for the next time (the
    # events and the links are read separately, a write between would look like a gap).
    upto = recorder.max_notification_id() or 0
    stored = _links(recorder, upto)
    pending = next(stored, None)
    for event in _events(recorder, upto):
        size, position = size + 1, event.id
        previous = link(
            previous, event.id, event.originator_id, event.originator_version, event.topic,
            event.state,
        )  # fmt: skip
        if event.id in wanted:
            seen[event.id] = (size, previous)
        if first_bad is not None:
            continue
        if pending is not None and pending[0] < event.id:
            first_bad = pending[0]
            problems.append(f"position {pending[0]}: a link without its event (deleted)")
        elif pending is None or pending[0] > event.id:
            first_bad = event.id
            problems.append(f"position {event.id}: an event without a link (added outside)")
        elif pending[1] != previous:
            first_bad = event.id
            problems.append(
                f"position {event.id}: the event does not match its link"
                " (modified, inserted or moved)"
            )
        else:
            pending = next(stored, None)
    if first_bad is None and pending is not None:
        first_bad = pending[0]
        problems.append(f"position {pending[0]}: a link without its event (deleted)")
    for name, point in checkpoints:
        problems += _against(name, point, size, seen.get(point.position))
    return Verification(size, position, previous, tuple(problems), first_bad)


def _against(name: str, point: Checkpoint, size: int, there: tuple[int, bytes] | None) -> list[str]:
    if size < point.size:
        return [f"checkpoint {name}: the log has {size} events, {point.size} at the checkpoint"
                " (truncated)"]  # fmt: skip
    if there is None:
        return [f"checkpoint {name}: position {point.position}, its last event, is gone"]
    count, head = there
    if (count, head.hex()) != (point.size, point.head):
        return [f"checkpoint {name}: the log up to position {point.position} is not the one"
                " signed (rewritten and re-chained)"]  # fmt: skip
    return []


def _events(recorder: ChainedRecorder, upto: int) -> Iterator[Notification]:
    start = 1
    while start <= upto:
        page = recorder.select_notifications(start, BATCH, stop=upto)
        if not page:
            return
        yield from page
        start = page[-1].id + 1


def _links(recorder: ChainedRecorder, upto: int) -> Iterator[tuple[int, bytes]]:
    after = 0
    while after < upto:
        page = [link for link in recorder.select_links(after, BATCH) if link[0] <= upto]
        if not page:
            return
        yield from page
        after = page[-1][0]


def describe(found: Verification) -> dict[str, Any]:
    """The verification as plain data (for JSON output)."""
    return {
        "intact": found.intact,
        "events": found.size,
        "last_position": found.position,
        "head": found.head.hex(),
        "first_bad_position": found.first_bad,
        "problems": list(found.problems),
    }
