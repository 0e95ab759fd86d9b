"""Where alert webhooks may go: one policy, used when a webhook is added and at every connect.

`AddressPolicy` answers three questions with the same rules:

* `address_problem(address)`: may alerts be POSTed to this IP? Only to public unicast
  addresses: never loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), shared
  (100.64/10), link-local (169.254/16, where cloud metadata lives; fe80::/10), multicast,
  unspecified or reserved ones (documentation, benchmarking, 240/4, ...). IPv6 forms that carry
  an IPv4 address are judged by that address: IPv4-mapped (`::ffff:10.0.0.5`),
  IPv4-compatible (`::169.254.169.254`), NAT64 (`64:ff9b::a00:5`), 6to4 (`2002:a00:5::1`) and
  Teredo (`2001::/32`, its client address).
* `url_problem(url)`: may this URL be a webhook? `https` only, no credentials in it, and an IP
  literal host must pass `address_problem`.
* `checked_address(host, port, resolver)`: the one address to connect to: the host is
  resolved once, every address it has is judged, and the caller connects to the address
  returned (never resolving again), so a DNS answer that changes between check and connect
  (DNS rebinding) cannot send a delivery somewhere else.

Loopback (this machine: 127/8, ::1, `localhost`) is refused too, unless `allow_loopback` is set
(the WEBHOOK_ALLOW_LOOPBACK setting, for local development and tests); then, and only for
loopback hosts, plain `http` is accepted as well.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: `(host, port)` → the host's addresses, as text (the system resolver, or a fake in tests).
Resolver = Callable[[str, int], Awaitable[list[str]]]

_PRIVATE = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# `::a.b.c.d` (deprecated IPv4-compatible addresses); `::` and `::1` are judged as themselves.
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


class AddressRefused(ValueError):
    """Alerts may not go to this host: `problem` says why, in words for the user."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def parse_address(text: str) -> IPAddress:
    """An address as a resolver or URL writes it (an IPv6 zone id `%eth0` is dropped)."""
    return ipaddress.ip_address(text.split("%", 1)[0])


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def address_kind(address: IPAddress) -> str | None:
    """What kind of non-public address this is ("loopback", "private", ...), None if public."""
    embedded = embedded_ipv4(address)
    if isinstance(address, ipaddress.IPv6Address):
        if embedded is not None:
            kind = address_kind(embedded)
            if kind is not None or address.ipv4_mapped is not None or address in _NAT64:
                return kind
            if address in _IPV4_COMPATIBLE:
                return "reserved"  # a deprecated form no public server uses
        if address.scope_id:
            return "link-local"
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("shared", address in _SHARED),
        ("private", any(address in network for network in _PRIVATE)),
        ("reserved", address.is_reserved or not address.is_global),
    )
    return next((kind for kind, matches in checks if matches), None)


_WHAT = {
    "unspecified": "the unspecified address",
    "loopback": "this machine (loopback)",
    "link-local": "a link-local address (cloud metadata services live there)",
    "multicast": "a multicast address",
    "shared": "a shared carrier-grade NAT address",
    "private": "a private network address",
    "reserved": "a reserved address",
}


def is_loopback_host(host: str) -> bool:
    """`localhost`, `*.localhost` or a loopback literal (127.0.0.0/8, ::1)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return parse_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class AddressPolicy:
    """The rules of the module docstring; `allow_loopback` is WEBHOOK_ALLOW_LOOPBACK."""

    allow_loopback: bool = False

    def address_problem(self, address: IPAddress) -> str | None:
        """Why alerts may not go to `address` (a phrase: "a private network address"), or None."""
        kind = address_kind(address)
        # Loopback as itself (127.0.0.1, ::1), not dressed as IPv6 around an IPv4 address.
        if kind is None or (self.allow_loopback and address.is_loopback):
            return None
        what = _WHAT[kind]
        embedded = embedded_ipv4(address)
        if embedded is not None and kind == address_kind(embedded):
            return f"{what}, written as IPv6 around {embedded}"
        return what

    def url_problem(self, url: str) -> str | None:
        """Why `url` cannot be a webhook (scheme, credentials, an IP host), or None; what a name
        resolves to is judged at each delivery by `checked_address`."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            return "that is not a valid URL"
        if not parsed.host:
            return "the URL has no host"
        if parsed.userinfo:
            return "put no user name or password in the URL"
        loopback = is_loopback_host(parsed.host)
        if loopback and not self.allow_loopback:
            return "it points at this machine; webhooks go to public servers only"
        if parsed.scheme != "https" and not (parsed.scheme == "http" and loopback):
            return "use an https:// URL"
        try:
            address = parse_address(parsed.host)
        except ValueError:
            return None  # a name
        problem = self.address_problem(address)
        if problem is None:
            return None
        return (
            f"{address} is a private or reserved address ({problem}); "
            "webhooks go to public servers only"
        )

    async def checked_address(self, url: httpx.URL, resolver: Resolver) -> IPAddress:
        """The address to connect to for `url`: its host resolved once, every address judged.

        Raises AddressRefused if any address is not allowed (a plain-http URL, allowed only
        for loopback, must resolve to loopback only), OSError if the host has no address."""
        port = url.port or (443 if url.scheme == "https" else 80)
        resolved = [parse_address(text) for text in await resolver(url.host, port)]
        if not resolved:
            raise OSError(f"no address for {url.host}")
        for address in resolved:
            if url.scheme != "https" and not address.is_loopback:
                raise AddressRefused(f"{url.host} resolves to {address}, not to this machine")
            problem = self.address_problem(address)
            if problem is not None:
                raise AddressRefused(
                    f"{url.host} resolves to {address}, a private or reserved address "
                    f"({problem}): webhooks may only go to public addresses"
                )
        return resolved[0]
