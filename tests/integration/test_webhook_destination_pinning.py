"""A delivery goes to the address that was checked: a name that resolves elsewhere a moment later (DNS
rebinding) cannot move it, and TLS still verifies the provider's certificate by its host name (SNI too)."""

from __future__ import annotations

import datetime as dt
import socket
import uuid
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from harness.receiver import Receiver
from harness.servers import free_port
from val.webhooks.destinations import DestinationPolicy
from val.webhooks.sender import WebhookSender
from val.webhooks.service import Claimed, send

LOOPBACK_ALLOWED = DestinationPolicy(allow_http=True, allow_loopback=True)
HOST = "provider.test"


@pytest.fixture
def rebinding(monkeypatch):
    """The provider's name resolves to 127.0.0.1 when first asked and to 127.0.0.2 after (another machine)."""
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != HOST:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        address = "127.0.0.1" if len(asked) == 1 else "127.0.0.2"
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port or 0)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def _claimed(url: str) -> Claimed:
    return Claimed(
        id=uuid.uuid4(),
        message_id=f"msg_{uuid.uuid4().hex}",
        provider_id="wmwa-idva",
        assignment_id=None,
        attempts=0,
        url=url,
        body='{"type": "ping"}',
        secrets=["whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        lease=dt.datetime.now(dt.UTC),
    )


def test_a_name_that_resolves_elsewhere_after_the_check_cannot_move_the_delivery(rebinding):
    port = free_port()
    checked = Receiver(host="127.0.0.1", port=port).start()
    elsewhere = Receiver(host="127.0.0.2", port=port).start()
    try:
        result = send(_claimed(f"http://{HOST}:{port}/hooks"), WebhookSender(timeout=5), LOOPBACK_ALLOWED)
        assert result.status_code == 200
        assert len(checked.received) == 1 and elsewhere.received == []
        assert checked.received[0].headers["host"] == f"{HOST}:{port}"
        assert rebinding == [HOST], "resolved once, for the check; the connection used that answer"
    finally:
        checked.stop()
        elsewhere.stop()


def _certificate(tmp_path: Path, name: str) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_file), str(key_file)


@pytest.mark.parametrize(("certified_for", "delivered"), [(HOST, True), ("someone-else.test", False)])
def test_tls_to_the_pinned_address_still_checks_the_certificate_by_host_name(
    rebinding, tmp_path, certified_for, delivered
):
    certificate, key = _certificate(tmp_path, certified_for)
    receiver = Receiver(tls=(certificate, key)).start()
    port = receiver.server.server_address[1]
    seen_names: list[str | None] = []
    receiver.server.socket.context.sni_callback = lambda _sock, name, _ctx: seen_names.append(name)
    try:
        sender = WebhookSender(timeout=5, ca_certs=certificate)
        result = send(_claimed(f"https://{HOST}:{port}/hooks"), sender, LOOPBACK_ALLOWED)
        if delivered:
            assert result.status_code == 200 and len(receiver.received) == 1
        else:
            assert result.status_code is None and result.error == "connection_error"
            assert receiver.received == []
        assert seen_names == [HOST], "SNI names the provider's host, not the address"
    finally:
        receiver.stop()


def test_a_long_answer_is_kept_to_its_first_kilobyte_and_never_poisons_the_next_delivery():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[bytes] = []

    class Talkative(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as providers' servers do

        def do_POST(self) -> None:  # http.server's name
            seen.append(self.rfile.read(int(self.headers["Content-Length"])))
            answer = b"x" * 200_000
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Talkative)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sender = WebhookSender(timeout=5)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
        first = send(_claimed(url), sender, LOOPBACK_ALLOWED)
        second = send(_claimed(url), sender, LOOPBACK_ALLOWED)
    finally:
        server.shutdown()
        server.server_close()
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.answer == "x" * 1024 and len(seen) == 2 and seen[1] == b'{"type": "ping"}'
