"""What the database knows, read when Prometheus scrapes: deliveries by status, the queue of pending deliveries
per provider and the age of the oldest, and Victims' Code points pending and missed (as of now)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from val.calendar import london_date
from val.db.base import utcnow
from val.metrics import store
from val.metrics.instruments import INTAKE_FAMILY

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class DatabaseCollector(Collector):
    """Reads through the scraping request's own session: on SQLite a second connection would wait for the
    request's lock."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def collect(self) -> Iterator[Metric]:
        now = utcnow()
        session = self._session
        by_status = GaugeMetricFamily(
            "val_webhook_deliveries", "Webhook deliveries by status", labels=["status"]
        )
        for delivery_status, count in store.deliveries_by_status(session):
            by_status.add_metric([delivery_status], count)
        yield by_status

        pending = GaugeMetricFamily(
            "val_webhook_queue_depth", "Deliveries not yet delivered, by provider", labels=["provider"]
        )
        oldest_age = GaugeMetricFamily(
            "val_webhook_oldest_pending_seconds",
            "Age of the oldest delivery not yet delivered, by provider",
            labels=["provider"],
        )
        for provider, count, oldest in store.pending_by_provider(session):
            pending.add_metric([provider], count)
            oldest_age.add_metric([provider], max(0.0, (now - _aware(oldest)).total_seconds()))
        yield pending
        yield oldest_age

        points = GaugeMetricFamily(
            "val_compliance_points",
            "Victims' Code points pending or missed, as of now",
            labels=["status"],
        )
        counted = store.open_points(session, london_date(now))
        for name in ("pending", "missed"):
            points.add_metric([name], counted.get(name, 0))
        yield points


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class ProcessCountsWithImports(Collector):
    """The API processes' own counts, with the intake counter also counting what `val import` took in (kept in
    the database: the command ends before any scrape). Intake gains a `channel` label: `api` (one referral or
    a batch over HTTP) or `import`."""

    def __init__(self, process: CollectorRegistry, session: Session) -> None:
        self._process, self._session = process, session

    def collect(self) -> Iterator[Metric]:
        for family in self._process.collect():
            if family.name != INTAKE_FAMILY:
                yield family
                continue
            merged = CounterMetricFamily(family.name, family.documentation, labels=["outcome", "channel"])
            for sample in family.samples:
                if sample.name == f"{INTAKE_FAMILY}_total":
                    merged.add_metric([sample.labels["outcome"], "api"], sample.value)
            for channel, outcome, count in store.tallies(self._session):
                merged.add_metric([outcome, channel], count)
            yield merged
