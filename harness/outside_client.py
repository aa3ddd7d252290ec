"""The outside client: schemathesis, run as its command line runs (every phase, every check), against the app
in-process. Shared by the test that runs in `make test` and by `make fuzz`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from werkzeug.serving import make_server

ROLES = ("intake", "coordinator", "provider", "board", "admin")
# schemathesis' own default for "schema-valid data is accepted": success, or refused for who is asking or for
# what exists (401, 403, 404, 409), or throttled.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


@dataclass
class Findings:
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def merge(self, other: Findings) -> None:
        self.requests += other.requests
        self.failures += other.failures
        self.errors += other.errors


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """The app behind a real HTTP server on loopback, so the client is outside it: its own sockets, parsing and
    headers."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def run(base_url: str, key: str, *, max_examples: int, seed: int | None = None) -> Findings:
    config = SchemathesisConfig.from_dict(
        {
            "headers": {"Authorization": f"Bearer {key}"},
            "checks": {
                "enabled": True,
                # Schema-valid is not always valid. A list's cursor is opaque: only one the list gave out is
                # valid, and no generator can make one (400, bad cursor). Rules JSON Schema cannot state — a
                # date not in the future, not before the referral, a note that exists — answer 422 naming the
                # field, as documented; a safe-contact change without the case's ETag is 428 (412 when stale).
                "positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400", "412", "422", "428"]},
            },
            "generation": {"mode": "all", "max-examples": max_examples},
            "phases": {"stateful": {"enabled": False}},
            **({"seed": seed} if seed is not None else {}),
        }
    )
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json", config=config)
    findings = Findings()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            findings.requests += len(event.recorder.interactions)
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        interaction = event.recorder.interactions.get(case_id)
                        answer = interaction.response if interaction is not None else None
                        said = (
                            f"{answer.status_code} {(answer.content or b'')[:400]!r}"
                            if answer
                            else "no answer"
                        )
                        findings.failures.append(
                            f"{event.recorder.label}: {failure.title}: {failure.message}\n"
                            f"    {check.failure_info.code_sample[:600]}\n    -> {said}"
                        )
        elif isinstance(event, events.NonFatalError):
            findings.errors.append(f"{event.label}: {type(event.value).__name__}: {event.value}")
        elif isinstance(event, events.FatalError):
            findings.errors.append(f"{type(event.exception).__name__}: {event.exception}")
    return findings
