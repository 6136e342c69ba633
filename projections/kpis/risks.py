"""Risk exposure (probability × impact, each 1–5) of the open risks, by escalation level.

Per group of the chosen level and escalation level: how many open risks, their summed
and worst exposure, and how many are critical (exposure ≥ ``critical``, 15 by default:
at least 3 × 5 or 4 × 4). A risk raised on a programme or a perimeter has no project:
at project level it shows on a row whose project is empty.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.enums import EscalationLevel
from projections.kpis.common import level_keys, texts
from projections.state import PortfolioState

SECTIONS = ("risks",)
ESCALATION = [str(level.value) for level in EscalationLevel]


def risk_exposure(
    state: PortfolioState, level: str = "portfolio", critical: int = 15
) -> pd.DataFrame:
    """Open risks, exposure and critical risks per group and escalation level."""
    keys = level_keys(level)
    risks = texts(state["risks"], ["perimeter", "programme", "project"])
    risks = risks[risks["status"].astype(str) == "open"].copy()
    risks["level"] = pd.Categorical(risks["level"].astype(str), categories=ESCALATION, ordered=True)
    risks["critical"] = risks["exposure"] >= critical
    if not keys:
        risks["portfolio"] = "portfolio"
        keys = ["portfolio"]
    result = (
        risks.groupby([*keys, "level"], dropna=False, observed=True, sort=True)
        .agg(
            open_risks=("risk", "size"),
            exposure=("exposure", "sum"),
            max_exposure=("exposure", "max"),
            critical=("critical", "sum"),
        )
        .reset_index()
    )
    result["level"] = result["level"].astype(str)
    counts = ["open_risks", "exposure", "max_exposure", "critical"]
    return result.astype(dict.fromkeys(counts, np.int64))
