"""A real HTTP endpoint for webhook tests: records what arrives and answers as scripted."""

from __future__ import annotations

import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness.webhook_contract import problems


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    """`script`: status codes for successive requests (the last one repeats); `delay_first`: seconds the
    first request is held before answering (a slow provider)."""

    script: list[int] = field(default_factory=lambda: [200])
    delay_first: float = 0.0
    received: list[Received] = field(default_factory=list)
    # What the contract found wrong in what arrived (harness/webhook_contract.py); wait_for fails on any.
    contract_problems: list[str] = field(default_factory=list)
    check_contract: bool = True  # the benchmarks measure delivery, not this check
    # Where it listens (another loopback address stands for another machine), and TLS (certificate, key files).
    host: str = "127.0.0.1"
    port: int = 0
    tls: tuple[str, str] | None = None

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if receiver.check_contract:
                    receiver.contract_problems.extend(problems(body))
                index = len(receiver.received)
                receiver.received.append(
                    Received({k.lower(): v for k, v in self.headers.items()}, body, time.time())
                )
                if index == 0 and receiver.delay_first:
                    time.sleep(receiver.delay_first)
                status = receiver.script[min(index, len(receiver.script) - 1)]
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.server.daemon_threads = True
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.server.server_address[1]}/webhooks/val"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.received) < count:
            time.sleep(0.05)
        assert len(self.received) >= count, f"{len(self.received)} of {count} webhooks arrived"
        assert self.contract_problems == [], self.contract_problems
        return self.received
