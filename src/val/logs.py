"""JSON log lines carrying a request id. Logs name ids and outcomes only — never names, contact details,
dates of birth or free text (docs/domain.md)."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            try:
                from flask import g, has_request_context

                record.request_id = g.get("request_id") if has_request_context() else None
            except ImportError:  # workers without Flask loaded
                record.request_id = None
        return True


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s", timestamp=False)
    )
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_val", False):
            root.removeHandler(existing)
    handler._val = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # SQLAlchemy would echo statement parameters (personal data) at INFO; keep it at WARNING whatever the level.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
