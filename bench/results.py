"""`bench/results.json`: one row per measured figure, written by `make bench` next to what it prints."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"
ORDER = (
    "intake_vs_stack_floor",
    "intake_vs_lean_pipelined",
    "intake_idempotent_vs_stack_floor",
    "intake_p99_ms_at_70pct",
    "webhook_burst_vs_concurrent_post",
    "webhook_latency_p99_ms",
    "embedded_webhooks",
    "case_queue_1m_p99_ms",
    "search_1m_p99_ms",
    "board_10m_slowest_ms",
    "import_100k_postgresql_s",
    "import_100k_sqlite_s",
    "import_1m_postgresql_s",
    "api_worker_rss_mb",
    "celery_worker_rss_mb",
)


@dataclass(frozen=True)
class Row:
    name: str
    value: float
    unit: str
    baseline: float | None  # measured in the same run, on the same machine; None where there is none
    ratio: float | None  # value ÷ baseline
    target: str
    met: bool

    def as_json(self) -> dict[str, object]:
        row = asdict(self)
        for key in ("value", "baseline", "ratio"):
            if isinstance(row[key], float):
                row[key] = round(row[key], 3) if math.isfinite(row[key]) else None
        return row


def write(rows: list[Row], path: Path = RESULTS) -> None:
    """Rows of this run replace those of the same name; rows of benchmarks not run this time are kept."""
    kept: list[dict[str, object]] = []
    if path.exists():
        names = {row.name for row in rows}
        # Rows of names no longer measured (an earlier release's) are dropped.
        kept = [
            row
            for row in json.loads(path.read_text())
            if row.get("name") not in names and row.get("name") in ORDER
        ]
    merged = sorted(kept + [row.as_json() for row in rows], key=lambda row: ORDER.index(str(row["name"])))
    path.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
