"""Where a webhook may go: table tests with a fake resolver — no name is ever looked up and no packet sent."""

from __future__ import annotations

import pytest

from val.webhooks.destinations import DestinationPolicy, UnsafeDestination, check_destination

PRODUCTION = DestinationPolicy(allow_http=False, allow_loopback=False)
EMBEDDED = DestinationPolicy(allow_http=True, allow_loopback=True)


def resolving_to(*addresses: str):
    def resolver(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolver


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("93.184.216.34", False),
        ("8.8.8.8", False),
        ("2001:4860:4860::8888", False),
        ("169.254.169.254", True),  # cloud metadata service
        ("10.1.2.3", True),
        ("172.16.0.5", True),
        ("192.168.1.1", True),
        ("127.0.0.1", True),
        ("::1", True),
        ("fe80::1", True),  # link-local
        ("fd00::1", True),  # unique-local
        ("224.0.0.1", True),  # multicast
        ("ff02::1", True),
        ("0.0.0.0", True),
        ("::ffff:10.0.0.1", True),  # IPv4 mapped into IPv6
        ("::ffff:8.8.8.8", False),
        ("100.64.0.1", True),  # shared address space (carrier-grade NAT)
        ("100.127.255.254", True),
        ("2002:a00:1::1", True),  # 6to4 wrapping 10.0.0.1
        ("2002:808:808::1", True),  # 6to4 is refused whatever it wraps
        ("fec0::1", True),  # site-local
        ("64:ff9b::a00:1", True),  # NAT64 to 10.0.0.1
        ("64:ff9b::808:808", False),  # NAT64 to a public address
        ("64:ff9b:1::1", True),  # local-use NAT64
        ("::a00:1", True),  # IPv4-compatible
        ("192.0.0.8", True),  # IETF protocol assignments
        ("198.18.0.1", True),  # benchmarking
        ("240.0.0.1", True),
        ("255.255.255.255", True),
        ("2001:db8::1", True),  # documentation
        ("2001::1", True),  # Teredo
        ("100::1", True),  # discard-only
    ],
)
def test_an_endpoint_resolving_to_a_private_address_is_refused_in_production(address, refused):
    check = lambda: check_destination("https://provider.example/hook", PRODUCTION, resolving_to(address))  # noqa: E731
    if refused:
        with pytest.raises(UnsafeDestination) as error:
            check()
        assert error.value.field == "url" and error.value.status == 422
    else:
        check()


def test_one_private_address_among_public_ones_is_enough_to_refuse():
    with pytest.raises(UnsafeDestination):
        check_destination("https://provider.example/", PRODUCTION, resolving_to("8.8.8.8", "10.0.0.1"))


def test_loopback_and_plain_http_only_in_the_embedded_mode():
    check_destination("http://localhost:9000/hook", EMBEDDED, resolving_to("127.0.0.1"))
    with pytest.raises(UnsafeDestination, match="http"):
        check_destination("http://provider.example/hook", PRODUCTION, resolving_to("8.8.8.8"))
    with pytest.raises(UnsafeDestination, match="loopback"):
        check_destination("https://localhost/hook", PRODUCTION, resolving_to("127.0.0.1"))
    with pytest.raises(UnsafeDestination, match="link-local"):
        check_destination("http://169.254.169.254/latest", EMBEDDED, resolving_to("169.254.169.254"))


@pytest.mark.parametrize(
    "url",
    [
        "https://user:secret@provider.example/hook",
        "https://user@provider.example/",
        "ftp://provider.example/",
        "/hook",
    ],
)
def test_credentials_in_the_url_or_another_scheme_are_refused(url):
    with pytest.raises(UnsafeDestination):
        check_destination(url, PRODUCTION, resolving_to("8.8.8.8"))


def test_a_name_that_does_not_resolve_is_refused():
    def nowhere(host: str, port: int) -> list[str]:
        raise OSError("no such host")

    with pytest.raises(UnsafeDestination, match="resolve"):
        check_destination("https://provider.example/", PRODUCTION, nowhere)


def test_an_allow_listed_host_is_not_resolved_at_all():
    def never(host: str, port: int) -> list[str]:
        raise AssertionError("resolved")

    allowed = DestinationPolicy(
        allow_http=False, allow_loopback=False, allowlist=frozenset({"provider.example"})
    )
    check_destination("https://provider.example/hook", allowed, never)


@pytest.mark.parametrize(
    "url",
    [
        "https://a%62c.example/hook",  # the client would decode it to abc.example
        "https://abc%2Eexample/hook",
        "https://bücher.example/hook",  # the client would IDNA-encode it
        "https://exa\\mple.com/hook",
        "https://provider.example%00.evil/hook",
        "https://-bad.example/hook",
        "https://[fe80::1%25eth0]/hook",
    ],
)
def test_a_host_not_written_plainly_is_refused_before_it_is_resolved(url):
    looked_up = []

    def resolver(host: str, port: int) -> list[str]:
        looked_up.append(host)
        return ["93.184.216.34"]

    with pytest.raises(UnsafeDestination) as error:
        check_destination(url, PRODUCTION, resolver)
    assert error.value.field == "url" and looked_up == []


@pytest.mark.parametrize(
    ("url", "host", "port", "target", "host_header"),
    [
        (
            "https://Provider.Example/hooks/val?x=1",
            "provider.example",
            443,
            "/hooks/val?x=1",
            "provider.example",
        ),
        (
            "https://xn--bcher-kva.example:8443",
            "xn--bcher-kva.example",
            8443,
            "/",
            "xn--bcher-kva.example:8443",
        ),
        ("https://[2001:4860:4860::8888]/h", "2001:4860:4860::8888", 443, "/h", "[2001:4860:4860::8888]"),
    ],
)
def test_the_checked_destination_names_the_host_and_pins_the_address(url, host, port, target, host_header):
    destination = check_destination(url, PRODUCTION, resolving_to("93.184.216.34", "8.8.8.8"))
    assert (destination.host, destination.port, destination.target, destination.host_header) == (
        host,
        port,
        target,
        host_header,
    )
    assert destination.address == "93.184.216.34"  # the first answer, checked with every other
