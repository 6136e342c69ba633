"""Today's programme states are kept warm: computed into the answer cache before anyone
asks, served from it, computed again only when a write touched them; on a big ledger by
default, on request on a small one, never when turned off."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app, warms
from api.routers.reading import moment
from api.routers.state import sections_json
from api.settings import Settings
from api.warm import WARM_FROM, Warmer
from projections.answers import AnswerCache
from projections.state import Scope
from tests.api.http import Api, build_payments, issue_tokens


def _open_second_programme(api: Api) -> None:
    for command, body in (
        ("programme/open", {"code": "CRM", "name": "CRM", "perimeter": "B2C"}),
        ("project/open", {"code": "CRM-A", "name": "Crm A", "programme": "CRM"}),
    ):
        dated = {"effective_date": "2026-01-01", **body}
        if command == "project/open":
            dated |= {"start": "2026-01-05", "end": "2026-12-18"}
        response = api.record(command, dated)
        assert response.status_code == 201, response.text


def _state(api: Api, programme: str) -> Any:
    response = api.client.get(
        "/state", params={"scope": f"programme:{programme}"}, headers=api.as_role("manager")
    )
    assert response.status_code == 200, response.text
    return response


def test_a_round_computes_every_programme_state_that_a_request_then_finds_cached(
    api: Api,
) -> None:
    build_payments(api)
    _open_second_programme(api)
    services = api.app.state.services
    warmer = Warmer(services.view, services.answers, sections_json)
    first = warmer.warm()
    assert (first.programmes, first.computed, first.full) == (2, 2, False)
    misses = services.answers.stats().misses
    warmed = _state(api, "PAY")
    assert services.answers.stats().misses == misses  # served from what was warmed
    assert warmer.warm().computed == 0  # nothing written since: every answer held
    risk = {"programme": "CRM", "title": "Vendor late", "probability": 3, "impact": 3}
    assert api.record("risk/raise", {**risk, "owner": "ops"}).status_code == 201
    assert warmer.warm().computed == 1  # only CRM's state was outdated
    assert _state(api, "PAY").json()["sections"] == warmed.json()["sections"]
    assert b"Vendor late" in _state(api, "CRM").content


def test_a_round_stops_at_its_share_of_the_cache(sqlite_api: Api) -> None:
    build_payments(sqlite_api)
    _open_second_programme(sqlite_api)
    view = sqlite_api.app.state.services.view
    day, now = moment(None, None)
    first = view.answer(AnswerCache(1 << 20), sections_json, day, now, Scope("programme", "CRM"))
    cache = AnswerCache(max_bytes=len(first))  # CRM's answer passes the cache's share
    done = Warmer(view, cache, sections_json).warm()
    assert done.full
    assert done.computed == 1  # CRM (the first in code order), not PAY
    assert cache.stats().entries == 1


@pytest.mark.parametrize(
    ("choice", "events", "cache_mb", "expected"),
    [
        ("auto", WARM_FROM - 1, 512, False),
        ("auto", WARM_FROM, 512, True),
        ("on", 10, 512, True),
        ("off", 10 * WARM_FROM, 512, False),
        ("on", 10, 0, False),  # no cache to keep them in
    ],
)
def test_states_are_warmed_on_big_ledgers_or_on_request(
    choice: str, events: int, cache_mb: int, expected: bool
) -> None:
    settings = Settings(database="x.db", warm_states=choice, state_cache_bytes=cache_mb << 20)
    assert warms(settings, events) is expected


def test_an_unknown_warm_choice_is_refused_with_the_setting_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PMO_API_WARM_STATES", "sometimes")
    with pytest.raises(ValueError, match="PMO_API_WARM_STATES is one of auto, on, off"):
        Settings.from_environment("x.db")
    monkeypatch.setenv("PMO_API_WARM_STATES", "ON")
    assert Settings.from_environment("x.db").warm_states == "on"
    monkeypatch.setenv("PMO_API_STATE_CACHE_MB", "lots")
    with pytest.raises(ValueError, match="PMO_API_STATE_CACHE_MB is a number, not 'lots'"):
        Settings.from_environment("x.db")


def test_the_application_warms_in_the_background_and_stops_with_it(tmp_path: Any) -> None:
    database = str(tmp_path / "warm.db")
    headers = issue_tokens(database)
    with TestClient(create_app(Settings(database=database, warm_states="on"))) as client:
        warmer = client.app.state.warmer  # type: ignore[attr-defined]
        assert warmer is not None
        for command, body in (
            ("perimeter/open", {"code": "B2C", "name": "B2C"}),
            ("programme/open", {"code": "PAY", "name": "Payments", "perimeter": "B2C"}),
        ):
            body = {"effective_date": "2026-01-01", **body}
            response = client.post(f"/commands/{command}", json=body, headers=headers["pmo"])
            assert response.status_code == 201, response.text
        warmer.warm()  # as its next round would (the thread waits between rounds)
        answers = client.app.state.services.answers  # type: ignore[attr-defined]
        assert answers.stats().entries == 1
    assert not warmer._thread.is_alive()
    with TestClient(create_app(Settings(database=database))) as client:
        assert client.app.state.warmer is None  # type: ignore[attr-defined]  # a small ledger


def test_a_programme_that_fails_does_not_stop_the_others_and_a_huge_one_is_not_redone(
    sqlite_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_payments(sqlite_api)
    _open_second_programme(sqlite_api)
    view = sqlite_api.app.state.services.view
    answer = view.answer

    def failing_for_crm(
        cache: AnswerCache, render: Any, day: Any, now: Any, scope: Scope, *rest: Any
    ) -> bytes:
        if scope.code == "CRM":
            raise RuntimeError("a store that failed")
        return answer(cache, render, day, now, scope, *rest)

    monkeypatch.setattr(view, "answer", failing_for_crm)
    cache = AnswerCache(max_bytes=1 << 20)
    done = Warmer(view, cache, sections_json).warm()
    assert (done.computed, done.failed, cache.stats().entries) == (2, 1, 1)  # PAY kept
    monkeypatch.setattr(view, "answer", answer)
    tiny = AnswerCache(max_bytes=10)  # no answer fits: computed once a day, not each round
    warmer = Warmer(view, tiny, sections_json)
    assert warmer.warm().computed == 2
    assert tiny.stats().entries == 0
    assert warmer.warm().computed == 0
