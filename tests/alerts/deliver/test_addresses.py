"""The one address policy of webhooks: every address form judged, no connection made."""

from __future__ import annotations

import httpx
import pytest

from alerts.deliver.addresses import (
    AddressPolicy,
    AddressRefused,
    Resolver,
    address_kind,
    embedded_ipv4,
    parse_address,
)

STRICT = AddressPolicy()
LOCAL = AddressPolicy(allow_loopback=True)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.9.9.9", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.5", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),  # noqa: S104
        ("::", "unspecified"),
        ("100.64.0.1", "shared"),
        ("100.127.255.254", "shared"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.1", "reserved"),
        ("198.18.0.1", "reserved"),
        ("2001:db8::1", "reserved"),
        # IPv6 around an IPv4 address: judged by that address.
        ("::ffff:10.0.0.5", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::169.254.169.254", "link-local"),  # IPv4-compatible
        ("::10.0.0.5", "private"),
        ("::8.8.8.8", "reserved"),  # IPv4-compatible is deprecated: nothing public uses it
        ("64:ff9b::a00:5", "private"),  # NAT64
        ("64:ff9b::7f00:1", "loopback"),
        ("2002:a00:5::1", "private"),  # 6to4
        ("2002:a9fe:a9fe::1", "link-local"),
        ("2001:0:4136:e378:8000:63bf:f5ff:fffa", "private"),  # Teredo, client 10.0.0.5
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "reserved"),  # Teredo, client 192.0.2.45
        # Public unicast.
        ("8.8.8.8", None),
        ("93.184.216.34", None),
        ("2001:4860:4860::8888", None),
        ("::ffff:8.8.8.8", None),
        ("64:ff9b::808:808", None),  # NAT64 of a public address
        ("2002:808:808::1", None),  # 6to4 of a public address
    ],
)
def test_every_address_form_is_judged(text: str, kind: str | None) -> None:
    assert address_kind(parse_address(text)) == kind
    problem = STRICT.address_problem(parse_address(text))
    assert (problem is None) == (kind is None)


def test_embedded_ipv4_reads_each_form() -> None:
    expect = "10.0.0.5"
    for text in ("::ffff:10.0.0.5", "::10.0.0.5", "64:ff9b::a00:5", "2002:a00:5::1"):
        assert str(embedded_ipv4(parse_address(text))) == expect
    assert embedded_ipv4(parse_address("::1")) is None
    assert embedded_ipv4(parse_address("2001:4860:4860::8888")) is None
    assert embedded_ipv4(parse_address("10.0.0.5")) is None


def test_loopback_is_allowed_only_by_the_setting_and_only_as_itself() -> None:
    for text in ("127.0.0.1", "::1"):
        assert STRICT.address_problem(parse_address(text)) is not None
        assert LOCAL.address_problem(parse_address(text)) is None
    # Dressed as IPv6, or private: refused whatever the setting.
    for text in ("::ffff:127.0.0.1", "64:ff9b::7f00:1", "10.0.0.5", "169.254.169.254"):
        assert LOCAL.address_problem(parse_address(text)) is not None


@pytest.mark.parametrize(
    ("url", "strict", "local"),
    [
        ("https://hooks.example.com/x", None, None),
        ("https://8.8.8.8/x", None, None),
        ("http://hooks.example.com/x", "https://", "https://"),
        ("ftp://hooks.example.com/x", "https://", "https://"),
        ("https://user:pw@hooks.example.com/", "password", "password"),
        ("http://127.0.0.1:2375/containers/prune", "this machine", None),
        ("https://localhost/x", "this machine", None),
        ("http://[::1]:9000/x", "this machine", None),
        ("https://10.0.0.5/x", "private network", "private network"),
        ("https://[64:ff9b::a00:5]/x", "around 10.0.0.5", "around 10.0.0.5"),
        ("https://[2002:a00:5::1]/x", "around 10.0.0.5", "around 10.0.0.5"),
        ("https://[::169.254.169.254]/x", "link-local", "link-local"),
        ("https://[::ffff:127.0.0.1]/x", "around 127.0.0.1", "around 127.0.0.1"),
    ],
)
def test_url_problem(url: str, strict: str | None, local: str | None) -> None:
    for policy, expected in ((STRICT, strict), (LOCAL, local)):
        problem = policy.url_problem(url)
        if expected is None:
            assert problem is None
        else:
            assert problem is not None
            assert expected in problem


def resolving(*addresses: str) -> tuple[list[str], Resolver]:
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        asked.append(f"{host}:{port}")
        return list(addresses)

    return asked, resolver


async def test_every_resolved_address_is_checked_and_the_first_returned() -> None:
    asked, resolver = resolving("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946")
    url = httpx.URL("https://hooks.example.com/x")
    address = await STRICT.checked_address(url, resolver)
    assert str(address) == "93.184.216.34"
    assert asked == ["hooks.example.com:443"]

    # One private address among public ones is enough to refuse: a rebinding name may
    # answer both.
    _, resolver = resolving("93.184.216.34", "10.0.0.5")
    with pytest.raises(AddressRefused, match=r"10\.0\.0\.5"):
        await STRICT.checked_address(url, resolver)
    _, resolver = resolving("64:ff9b::a00:5")
    with pytest.raises(AddressRefused, match=r"around 10\.0\.0\.5"):
        await STRICT.checked_address(url, resolver)
    _, resolver = resolving()
    with pytest.raises(OSError, match="no address"):
        await STRICT.checked_address(url, resolver)


async def test_plain_http_must_resolve_to_loopback_only() -> None:
    url = httpx.URL("http://localhost:8080/x")
    _, resolver = resolving("127.0.0.1")
    assert str(await LOCAL.checked_address(url, resolver)) == "127.0.0.1"
    _, resolver = resolving("127.0.0.1", "93.184.216.34")
    with pytest.raises(AddressRefused, match="not to this machine"):
        await LOCAL.checked_address(url, resolver)
    _, resolver = resolving("127.0.0.1")
    with pytest.raises(AddressRefused, match="this machine"):
        await STRICT.checked_address(url, resolver)
