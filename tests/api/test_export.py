"""DataFrames as JSON-ready rows: what the API's JSON answers are made of."""

from __future__ import annotations

import json
import math

import pandas as pd

from api.export import frame_rows


def test_an_unbounded_figure_is_served_as_null_rather_than_breaking_the_answer() -> None:
    # The RAG's max_load_pct is infinite for a resource staffed with no capacity at all.
    frame = pd.DataFrame({"project": ["PAY-A", "PAY-B"], "max_load_pct": [math.inf, 80.0]})
    rows = frame_rows(frame)
    assert rows == [
        {"project": "PAY-A", "max_load_pct": None},
        {"project": "PAY-B", "max_load_pct": 80.0},
    ]
    json.dumps(rows, allow_nan=False)
