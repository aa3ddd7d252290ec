"""`bench/results.json`: one row per measured figure, written by `make bench` next to what it prints."""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from harness.servers import postgres_bindir

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


README = RESULTS.parents[1] / "README.md"
START, END = "<!-- bench results: written by make bench -->", "<!-- end of bench results -->"


def machine() -> str:
    """The machine the figures came from, in one line."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        "unknown CPU",
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    postgres = subprocess.run(
        [str(postgres_bindir() / "postgres"), "--version"], capture_output=True, text=True
    ).stdout.split()[2]
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory_kb / 1024**2:.0f} GiB, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PostgreSQL {postgres}"
    )


def markdown(path: Path = RESULTS) -> str:
    """Every row of `path` as a Markdown table."""
    lines = ["| figure | value | baseline | ratio | target | met |", "|---|---|---|---|---|---|"]
    for row in json.loads(path.read_text()):
        baseline = "—" if row["baseline"] is None else f"{row['baseline']:,.1f}"
        ratio = "—" if row["ratio"] is None else f"{row['ratio']:.2f}"
        unit = str(row["unit"]).replace("<", "&lt;")  # "q=<family name>" is no HTML tag
        met = "yes" if row["met"] else "**no**"
        lines.append(
            f"| `{row['name']}` | {row['value']:,.1f} {unit} | {baseline} | {ratio} | {row['target']} | {met} |"
        )
    return "\n".join(lines)


def update_readme(when: str, took: str, readme: Path = README) -> None:
    """The README's table between its markers, from `bench/results.json` as this run left it."""
    text = readme.read_text()
    if START not in text or END not in text:
        return
    table = f"{START}\nLast run {when}, on {machine()}; {took}.\n\n{markdown()}\n{END}"
    head, rest = text.split(START, 1)
    readme.write_text(head + table + rest.split(END, 1)[1])
