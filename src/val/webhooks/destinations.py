"""Where a webhook may be sent. A provider's endpoint is a URL an admin typed; it must never become a way into
VAL's own network (a metadata service at 169.254.169.254, a database on 10.x, a router on fe80::). Checked at
registration and again before every delivery, because what a name resolves to can change; and the delivery
connects to the very address that was checked (`Destination.address`), so a name that resolves differently a
moment later (DNS rebinding) cannot take it elsewhere."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from val.errors import InvalidInputError

Resolver = Callable[[str, int], Iterable[str]]


class UnsafeDestination(InvalidInputError):
    """The URL points somewhere VAL must not send a webhook."""


@dataclass(frozen=True)
class Destination:
    """A checked endpoint: what to connect to, and what to call it there (Host, TLS SNI and certificate name)."""

    scheme: str
    host: str  # as written, lower case: a host name in ASCII, or an IP address
    port: int
    target: str  # path and query
    address: str | None  # the checked address to connect to; None: an allow-listed host (tests), not resolved

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


# A host name as DNS writes it: letters, digits and hyphens in dot-separated labels. Anything else (percent
# escapes the HTTP client would decode, Unicode it would IDNA-encode, backslashes) could name one host to the
# check and another to the connection, so it is refused rather than normalised.
_HOST_NAME = re.compile(
    r"^(?=.{1,253}\.?$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.?$"
)


@dataclass(frozen=True)
class DestinationPolicy:
    allow_http: bool  # plain http:// (the embedded mode and tests only)
    allow_loopback: bool  # this machine (the embedded mode: a developer's local receiver)
    allowlist: frozenset[str] = frozenset()  # hosts allowed whatever they resolve to (tests)


def policy_for(*, allow_http: bool, embedded: bool, allowlist: Iterable[str]) -> DestinationPolicy:
    """Loopback only in the embedded mode, where the receiver is a developer's own."""
    return DestinationPolicy(
        allow_http=allow_http, allow_loopback=embedded, allowlist=frozenset(h.lower() for h in allowlist)
    )


def resolve(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]


# IPv6 forms that carry an IPv4 address or a scope the standard library (3.11) still calls global.
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")
_IETF_PROTOCOL = ipaddress.ip_network("192.0.0.0/24")
_SHARED = ipaddress.ip_network("100.64.0.0/10")


def refusal(address: str, *, allow_loopback: bool) -> str | None:
    """Why a resolved address must not be sent to; None when it may. Only globally reachable addresses pass:
    an allow rule (is_global), not a deny list, with the tunnel and translation forms unwrapped first."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in _SIX_TO_FOUR:
            return "a 6to4 address"
        elif ip in _LOCAL_NAT64:
            return "a local-use NAT64 address"
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)  # judged by the IPv4 address it translates to
        elif ip.is_site_local:
            return "a site-local address"
        elif ip in _IPV4_COMPATIBLE and not (ip.is_loopback or ip.is_unspecified):
            return "an IPv4-compatible address"
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address"
    for kind, hit in (
        ("a link-local address", ip.is_link_local),
        ("a multicast address", ip.is_multicast),
        ("an unspecified address", ip.is_unspecified),
        ("a private or unique-local address", ip.is_private),
        ("a reserved address", ip.is_reserved),
        ("a shared (carrier-grade NAT) address", ip in _SHARED),
        ("an IETF protocol address", ip in _IETF_PROTOCOL),
        ("an address that is not globally reachable", not ip.is_global),
    ):
        if hit:
            return kind
    return None


def check_destination(url: str, policy: DestinationPolicy, resolver: Resolver = resolve) -> Destination:
    """The destination to connect to, or UnsafeDestination (422 on `url`) unless `url` may receive webhooks
    under `policy`."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeDestination("The endpoint is not a valid URL.", field="url") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeDestination("The endpoint must be an absolute https:// URL.", field="url")
    if parts.scheme == "http" and not policy.allow_http:
        raise UnsafeDestination("Plain http:// endpoints are only allowed in the embedded mode.", field="url")
    if parts.username is not None or parts.password is not None:
        raise UnsafeDestination("The endpoint must not carry a user name or password.", field="url")
    host = _plain_host(parts.hostname)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if host in policy.allowlist:
        return Destination(parts.scheme, host, port, target, None)
    try:
        addresses = list(resolver(host, port))
    except (OSError, UnicodeError):
        raise UnsafeDestination("The endpoint's host name does not resolve.", field="url") from None
    if not addresses:
        raise UnsafeDestination("The endpoint's host name does not resolve.", field="url")
    for address in addresses:
        why = refusal(address, allow_loopback=policy.allow_loopback)
        if why:
            raise UnsafeDestination(f"The endpoint's host resolves to {why}.", field="url")
    return Destination(parts.scheme, host, port, target, addresses[0])


def _plain_host(hostname: str) -> str:
    host = hostname.lower()
    try:
        if "%" not in host:  # an IPv6 zone (fe80::1%eth0) is refused with the names below
            return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if not _HOST_NAME.match(host):
        raise UnsafeDestination(
            "The endpoint's host must be written plainly: letters, digits, hyphens and dots (no percent-escapes; "
            "an international name in its xn-- form).",
            field="url",
        )
    return host
