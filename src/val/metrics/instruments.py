"""What the API processes count themselves: request latency by route and intake by outcome. Under gunicorn each
worker is a process, so when PROMETHEUS_MULTIPROC_DIR is set (`val run` sets it) prometheus_client keeps the
counts in files there and the scrape adds them up; otherwise (one process, tests) they live in memory."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUEST_SECONDS = Histogram(
    "val_http_request_duration_seconds",
    "Time to answer a request, by route (the URL rule, never the URL) and method",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
INTAKE_FAMILY = "val_intake_referrals"  # the counter's family; its samples are `…_total`
INTAKE = Counter(
    f"{INTAKE_FAMILY}_total",
    "Referrals received, by outcome: created, duplicate or rejected (bad input)",
    ["outcome"],
)

INTAKE_ROUTE = "/api/v1/referrals"
INTAKE_OUTCOMES = {201: "created", 200: "duplicate", 422: "rejected"}


def record_request(route: str | None, method: str, status: int, seconds: float) -> None:
    """Every answered request; unknown URLs are one route ("unmatched"), so a scanner cannot add labels."""
    REQUEST_SECONDS.labels(route or "unmatched", method).observe(seconds)
    if route == INTAKE_ROUTE and method == "POST" and status in INTAKE_OUTCOMES:
        INTAKE.labels(INTAKE_OUTCOMES[status]).inc()


def record_batch(created: int, duplicates: int, rejected: int) -> None:
    for outcome, count in (("created", created), ("duplicate", duplicates), ("rejected", rejected)):
        if count:
            INTAKE.labels(outcome).inc(count)
