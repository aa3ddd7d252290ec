"""The HTTP side of a delivery: one POST, no redirects followed, a hard timeout, nothing of the answer kept
but its status code."""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests

TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    latency_ms: int
    error: str | None = None


class WebhookSender:
    def __init__(self, timeout: float = TIMEOUT_SECONDS) -> None:
        self.timeout = timeout
        self.session = requests.Session()

    def send(self, url: str, headers: dict[str, str], body: str) -> SendResult:
        started = time.perf_counter()
        try:
            response = self.session.post(
                url, data=body.encode(), headers=headers, timeout=self.timeout, allow_redirects=False
            )
            response.close()  # the body is never read: it is not ours to keep
            return SendResult(response.status_code, _ms(started))
        except requests.Timeout:
            return SendResult(None, _ms(started), "timeout")
        except requests.ConnectionError:
            return SendResult(None, _ms(started), "connection_error")
        except requests.RequestException:
            return SendResult(None, _ms(started), "request_error")


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
