"""The outside client: schemathesis, run as its command line runs (every phase, every check), against the app
in-process. Shared by the test that runs in `make test` and by `make fuzz`."""

from __future__ import annotations

import threading
import tomllib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from werkzeug.serving import make_server

ROLES = ("intake", "coordinator", "provider", "board", "admin")
# The settings `st run` uses too: what counts as accepted and as refused.
SETTINGS = Path(__file__).resolve().parent.parent / "schemathesis.toml"


@dataclass
class Findings:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def merge(self, other: Findings) -> None:
        self.requests += other.requests
        self.statuses.update(other.statuses)
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
    settings = tomllib.loads(SETTINGS.read_text())
    settings["headers"] = {"Authorization": f"Bearer {key}"}
    settings["generation"] = {"mode": "all", "max-examples": max_examples}
    if seed is not None:
        settings["seed"] = seed
    schema = schemathesis.openapi.from_url(
        f"{base_url}/openapi.json", config=SchemathesisConfig.from_dict(settings)
    )
    findings = Findings()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            findings.requests += len(event.recorder.interactions)
            findings.statuses.update(
                i.response.status_code for i in event.recorder.interactions.values() if i.response is not None
            )
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
