"""The process's long-lived read models, out of the cyclic garbage collector's sight.

On a million-event ledger a serving process holds about 2.4 million objects for as
long as it runs (the view's lookups, the log index: identifiers, sets, arrays). Each
full collection of CPython's cyclic collector walks all of them — 0.7 s here, at a
moment no request chooses: the dashboard's overview, 0.7 s, took 1.5 s when one fell
inside it. Once they are loaded, :func:`settle` collects once and freezes what is left
(``gc.freeze``: a permanent generation that collections skip), so that the collections
that follow walk only what requests allocate. :func:`release` gives them back to the
collector when the application stops, so that an application closed in a process that
goes on (the tests) leaves nothing frozen behind. A smaller ledger is left alone: its
collections are quick, and a freeze is not free (the collection before it).
"""

from __future__ import annotations

import gc

SETTLE_FROM = 100_000  # events in the ledger, from which its read models are frozen


def settle(events: int) -> bool:
    """Collect, then freeze every object now tracked, if the ledger holds at least
    ``SETTLE_FROM`` events; whether it did."""
    if events < SETTLE_FROM:
        return False
    gc.collect()  # the garbage of loading, which a freeze would keep for good
    gc.freeze()
    return True


def release() -> None:
    """Give the frozen objects back to the collector."""
    gc.unfreeze()
