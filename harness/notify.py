"""A local GOV.UK Notify for `make run` and the tests: it checks each request as Notify does and answers in
Notify's shapes, then calls VAL's receipts callback as Notify's callbacks do.

Checked as Notify checks: the API key's JWT (HS256, `iss` the service id, `iat` within 30 seconds, signed with
the key's secret), the template id (known, and of the channel asked for), every placeholder of the template given,
a UK mobile number, an email address, a letter's address (3 to 7 lines, the last a postcode). Answered as Notify
answers: 201 with the notification, 400 ValidationError/BadRequestError, 403 AuthError, 429 RateLimitError, 500.
Notify's simulated recipients fail as Notify's do: 07700900003 and temp-fail@simulator.notify a temporary
failure, 07700900002 and perm-fail@simulator.notify a permanent one; everything else is delivered.

    python -m harness.notify --callback http://127.0.0.1:8000/api/v1/notify/receipts --token T
prints the VAL_NOTIFY_* settings to use and serves until stopped."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import threading
import time
import tomllib
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError

MESSAGES_TOML = Path(__file__).parents[1] / "config" / "messages.toml"
# The words the service would write in Notify's editor; what matters here are the placeholders.
BODIES = {
    "information_pack": "Hello ((given_name)), this is ((coordinator_name)) from the advice line, following our "
    "call. Your reference is ((reference)). The information we promised is at the link in our email, and you "
    "can call us on ((line_phone)).",
    "feedback_request": "Hello ((given_name)), could you tell us how we did? It takes two minutes: "
    "((feedback_link)) — or call ((line_phone)).",
}
TEMPORARY = {"07700900003", "temp-fail@simulator.notify"}
PERMANENT = {"07700900002", "perm-fail@simulator.notify"}
UK_MOBILE = re.compile(r"^(?:\+?44|0)7\d{9}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$|^[^@\s]+@simulator\.notify$")
POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", re.I)


def templates_from_config(path: Path = MESSAGES_TOML) -> dict[str, tuple[str, str]]:
    """Notify template id → (channel, body), for every template VAL's configuration names."""
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    return {
        template_id: (channel, BODIES[name])
        for name, channels in config.get("templates", {}).items()
        for channel, template_id in channels.items()
    }


@dataclass
class Sent:
    id: str
    channel: str
    template_id: str
    to: str | None
    personalisation: dict[str, Any]
    reference: str | None
    body: str
    status: str


@dataclass
class FakeNotify:
    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    templates: dict[str, tuple[str, str]] = field(default_factory=templates_from_config)
    callback_url: str | None = None
    callback_token: str | None = None
    # Statuses for the next requests (500, 429, …), taken one per request; then requests are served as Notify.
    script: list[int] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    callbacks: list[int] = field(default_factory=list)  # the status VAL answered each receipt with
    callback_pauses: tuple[float, ...] = (0.1, 0.5, 1.0, 2.0, 4.0)  # before each try of a receipt
    port: int = 0

    @property
    def api_key(self) -> str:
        return f"val_local-{self.service_id}-{self.secret}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeNotify:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer, then = fake.answer(self.path, self.headers.get("Authorization", ""), body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                if then is not None:
                    threading.Thread(target=fake.call_back, args=(then,), daemon=True).start()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # What Notify does with one request: (status, body, the notification whose receipt follows).
    def answer(self, path: str, authorization: str, raw: bytes) -> tuple[int, dict[str, Any], Sent | None]:
        if self.script:
            scripted = self.script.pop(0)
            kind = {429: "RateLimitError", 500: "Exception", 503: "Exception"}.get(scripted, "Exception")
            return (*_error(scripted, kind, "Scripted failure"), None)
        refused = self._auth_problem(authorization)
        if refused:
            return (*_error(403, "AuthError", refused), None)
        channel = {
            "/v2/notifications/sms": "sms",
            "/v2/notifications/email": "email",
            "/v2/notifications/letter": "letter",
        }.get(path)
        if channel is None:
            return (*_error(404, "BadRequestError", "Not Found"), None)
        try:
            request = json.loads(raw)
        except ValueError:
            return (*_error(400, "ValidationError", "Invalid JSON supplied in POST data"), None)
        problem = self._request_problem(channel, request)
        if problem:
            self.refused.append({"channel": channel, "problem": problem})
            return (*_error(400, *problem), None)
        return self._accepted(channel, request)

    def _auth_problem(self, authorization: str) -> str | None:
        scheme, _, token = authorization.partition(" ")
        if scheme != "Bearer" or not token:
            return "Unauthorized: authentication token must be provided"
        try:
            if get_token_issuer(token) != self.service_id:
                return "Invalid token: service not found"
            decode_jwt_token(token, self.secret)  # HS256, iat within 30 seconds either way
        except TokenError as error:
            return error.message
        return None

    def _request_problem(self, channel: str, request: dict[str, Any]) -> tuple[str, str] | None:
        template = self.templates.get(str(request.get("template_id")))
        if template is None or template[0] != channel:
            return "BadRequestError", "Template not found"
        personalisation = request.get("personalisation") or {}
        missing = [p for p in re.findall(r"\(\((\w+)\)\)", template[1]) if p not in personalisation]
        if missing:
            return "BadRequestError", f"Missing personalisation: {', '.join(missing)}"
        if channel == "sms" and not UK_MOBILE.match(
            re.sub(r"[\s()-]", "", str(request.get("phone_number", "")))
        ):
            return "ValidationError", "phone_number Not a UK mobile number"
        if channel == "email" and not EMAIL.match(str(request.get("email_address", ""))):
            return "ValidationError", "email_address Not a valid email address"
        if channel == "letter":
            lines = [personalisation.get(f"address_line_{n}") for n in range(1, 8)]
            given = [line for line in lines if line]
            if len(given) < 3:
                return "ValidationError", "Address must be at least 3 lines"
            if not POSTCODE.match(str(given[-1])):
                return "ValidationError", "Last line of address must be a real UK postcode"
        return None

    def _accepted(self, channel: str, request: dict[str, Any]) -> tuple[int, dict[str, Any], Sent]:
        template_id = str(request["template_id"])
        personalisation = request.get("personalisation") or {}
        body = re.sub(
            r"\(\((\w+)\)\)", lambda m: str(personalisation[m.group(1)]), self.templates[template_id][1]
        )
        to = request.get("phone_number") or request.get("email_address")
        plain = re.sub(r"[\s()-]", "", str(to or "")).replace("+44", "0")
        status = (
            "temporary-failure"
            if plain in TEMPORARY
            else "permanent-failure"
            if plain in PERMANENT
            else "delivered"
        )
        sent = Sent(
            str(uuid.uuid4()),
            channel,
            template_id,
            to,
            personalisation,
            request.get("reference"),
            body,
            status,
        )
        self.sent.append(sent)
        answer = {
            "id": sent.id,
            "reference": sent.reference,
            "content": {
                "body": body,
                **({"from_number": "VAL"} if channel == "sms" else {"subject": "Your support"}),
            },
            "uri": f"{self.base_url}/v2/notifications/{sent.id}",
            "template": {
                "id": template_id,
                "version": 1,
                "uri": f"{self.base_url}/v2/template/{template_id}",
            },
            "scheduled_for": None,
        }
        return 201, answer, sent

    def call_back(self, sent: Sent) -> None:
        """The delivery receipt, as Notify posts it to the service's callback URL a moment after sending, and
        again (with backoff) while the callback does not answer 2xx."""
        if not self.callback_url:
            return
        for pause in self.callback_pauses:
            time.sleep(pause)
            status = post_receipt(self.callback_url, self.callback_token or "", receipt_for(sent))
            self.callbacks.append(status)
            if 200 <= status < 300:
                return


def receipt_for(sent: Sent, status: str | None = None) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "id": sent.id,
        "reference": sent.reference,
        "to": sent.to,
        "status": status or sent.status,
        "created_at": now,
        "completed_at": now,
        "sent_at": now,
        "notification_type": sent.channel,
        "template_id": sent.template_id,
        "template_version": 1,
    }


def post_receipt(url: str, token: str, receipt: dict[str, Any]) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(receipt).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def _error(status: int, kind: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"status_code": status, "errors": [{"error": kind, "message": message}]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--callback", help="VAL's receipts URL")
    parser.add_argument("--token", help="the bearer token Notify sends with receipts")
    args = parser.parse_args()
    fake = FakeNotify(callback_url=args.callback, callback_token=args.token, port=args.port).start()
    print(f"VAL_NOTIFY_BASE_URL={fake.base_url}\nVAL_NOTIFY_API_KEY={fake.api_key}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
