"""The compliance report's chart says why a rate is missing: withheld is not the same fact as none yet."""

from __future__ import annotations

from val.compliance.board import Summary
from val.compliance.report import _chart


def _row(right, suppressed_cells, rate=None):
    return {"group": {"right": right}, "on_time_rate": rate, "suppressed_cells": suppressed_cells}


def test_withheld_and_nothing_to_rate_yet_are_told_apart():
    summary = Summary(
        period={"from": "2026-01-01", "to": "2026-01-31"},
        group_by=["right"],
        suppression_threshold=5,
        rows=[_row(3, ["met", "due"]), _row(4, []), _row(6, [], rate=0.8)],
        total={},
    )
    chart = _chart(summary)
    assert "withheld: too few points to publish" in chart
    assert "none met, late or missed yet" in chart
    assert "80.0%" in chart
