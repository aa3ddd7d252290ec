"""The HTTP side of a delivery: one POST to the address that was checked, no redirects followed, a hard timeout;
of the answer only its status code and its first kilobyte are kept (the provider reads them among its own
deliveries, to debug its endpoint).

It connects to `Destination.address` itself (never resolving the name again: DNS rebinding cannot move it),
while the request, TLS's SNI and the certificate check all use the endpoint's host name."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import certifi
import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError, ProtocolError, SSLError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from val.webhooks.destinations import Destination

TIMEOUT_SECONDS = 15
CONNECT_SECONDS = 5
# An answer's body is read this far so the connection can be kept for the next delivery; its start is kept.
ANSWER_READ_BYTES = 65536
ANSWER_KEPT_BYTES = 1024
# Connection pools kept, one per endpoint and address (a provider whose name now resolves elsewhere gets a new one).
POOLS_KEPT = 64

Pool = urllib3.HTTPConnectionPool | urllib3.HTTPSConnectionPool


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    latency_ms: int
    error: str | None = None
    answer: str | None = None  # the first kilobyte of the answer's body, as text


class WebhookSender:
    def __init__(self, timeout: float = TIMEOUT_SECONDS, ca_certs: str | None = None) -> None:
        self.timeout = timeout
        self.ca_certs = ca_certs or certifi.where()
        self._pools: OrderedDict[tuple[str, str, int, str | None], Pool] = OrderedDict()
        self._lock = threading.Lock()

    def send(self, destination: Destination, headers: dict[str, str], body: str) -> SendResult:
        started = time.perf_counter()
        try:
            response = self._pool(destination).urlopen(
                "POST",
                destination.target,
                body=body.encode(),
                headers={**headers, "Host": destination.host_header},
                redirect=False,
                retries=False,
                assert_same_host=False,
                preload_content=False,
            )
            answer = b""
            try:
                answer = response.read(ANSWER_READ_BYTES)
            finally:
                if len(answer) >= ANSWER_READ_BYTES:
                    response.close()  # more may follow: never read an endless answer, never reuse its connection
                response.release_conn()
            kept = answer[:ANSWER_KEPT_BYTES].decode("utf-8", "replace") if answer else None
            return SendResult(response.status, _ms(started), answer=kept)
        except Urllib3Timeout:
            return SendResult(None, _ms(started), "timeout")
        except (NewConnectionError, ProtocolError, SSLError):
            return SendResult(None, _ms(started), "connection_error")
        except HTTPError:
            return SendResult(None, _ms(started), "request_error")

    def _pool(self, destination: Destination) -> Pool:
        key = (destination.scheme, destination.host, destination.port, destination.address)
        with self._lock:
            pool = self._pools.get(key)
            if pool is not None:
                self._pools.move_to_end(key)
                return pool
            pool = self._new_pool(destination)
            self._pools[key] = pool
            if len(self._pools) > POOLS_KEPT:
                _, oldest = self._pools.popitem(last=False)
                oldest.close()
            return pool

    def _new_pool(self, destination: Destination) -> Pool:
        connect_to = destination.address or destination.host
        timeout = urllib3.Timeout(connect=min(CONNECT_SECONDS, self.timeout), read=self.timeout)
        if destination.scheme == "https":
            return urllib3.HTTPSConnectionPool(
                connect_to,
                destination.port,
                timeout=timeout,
                maxsize=4,
                cert_reqs="CERT_REQUIRED",
                ca_certs=self.ca_certs,
                server_hostname=destination.host,
                assert_hostname=destination.host,
            )
        return urllib3.HTTPConnectionPool(connect_to, destination.port, timeout=timeout, maxsize=4)

    def close(self) -> None:
        with self._lock:
            for pool in self._pools.values():
                pool.close()
            self._pools.clear()


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
