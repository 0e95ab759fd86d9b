"""Is a URL fit to receive alert webhooks? A pure syntax check, run when a webhook is added.

`check_webhook_url` refuses what could make the bot POST into its own network (SSRF) or leak
credentials, judging only the text of the URL:

* https only; http only to loopback (127.0.0.0/8, ::1, `localhost`), for local testing;
* no user or password (`https://user:pw@host`, also the `https://good.com@evil.com` trick);
* IP literals only when `alerts.deliver.addresses.AddressPolicy` allows them (the one address
  policy, also applied at every delivery): no private, shared, loopback (except as above),
  link-local, multicast, reserved or unspecified address, also inside IPv6 (v4-mapped,
  v4-compatible, 6to4, Teredo, NAT64);
* no IPv4 address in disguise (`2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`), which
  some HTTP stacks resolve to an address the literal check above never sees;
* no single-label or private-use names (`intranet`, `printer.local`, `db.internal`,
  `x.localhost`, `*.home.arpa`...), only exactly `localhost` (again for local testing);
* at most MAX_URL characters.

What it cannot know is where a name resolves: `hooks.example.com` may point at 10.0.0.5 today,
or start to later (DNS rebinding). That is checked at delivery time, on the addresses actually
connected to, by the webhook sender (`alerts/deliver/webhook.py`); this check is the first
gate, not the only one. Loopback passes this parse (it cannot know the deployment's settings);
`alert webhook add` then applies the deployment's policy, which refuses it unless
WEBHOOK_ALLOW_LOOPBACK is set. `allow_loopback=False` refuses it here already.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from alerts.deliver.addresses import AddressPolicy
from bot.grammar.suggest import code

#: Longest URL accepted, in characters.
MAX_URL = 2000

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that only mean something inside a network (RFC 6761/6762/8375 and common habit).
_PRIVATE_SUFFIXES = (
    "local",
    "localhost",
    "localdomain",
    "internal",
    "intranet",
    "lan",
    "home",
    "corp",
    "private",
    "arpa",
)
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")
# How inet_aton reads a part of an IPv4 address: hex, octal or decimal.
_IPV4_PART = re.compile(r"0x[0-9a-f]*|[0-9]+")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*", re.IGNORECASE)
# `mailto:`, `https:/x`: a scheme without `//` (but not `host:8443/...`, a port).
_ODD_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):(?![0-9])", re.IGNORECASE)


class WebhookUrlError(ValueError):
    """A URL that is not accepted for webhooks.

    `problem` is one Slack mrkdwn sentence (user text escaped and shortened); `replacement`, when
    set, is the URL the user most likely meant (`https://` for `http://`).
    """

    def __init__(self, problem: str, replacement: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.replacement = replacement


def check_webhook_url(url: str, *, allow_loopback: bool = True) -> str:
    """`url` normalized (scheme and host in lower case, host in IDNA ASCII, no trailing dot),
    or WebhookUrlError saying why it is refused. Pure: no DNS, no network.

    `allow_loopback=False` refuses loopback too (for a production re-check before sending).
    """
    url = url.strip()
    if len(url) > MAX_URL:
        raise WebhookUrlError(f"That URL is {len(url):,} characters; I take up to {MAX_URL:,}.")
    if not url or any(c.isspace() or not c.isprintable() for c in url):
        raise WebhookUrlError(f"{code(url)} isn't a URL: it has spaces or invisible characters.")
    scheme, sep, rest = url.partition("://")
    if not sep or not _SCHEME.fullmatch(scheme):
        odd = _ODD_SCHEME.match(url)
        if odd is None:  # `hooks.example.com/x`: no scheme typed
            raise WebhookUrlError(
                f"{code(url)} needs to start with `https://`.", f"https://{url.lstrip(':/')}"
            )
        if odd[1].casefold() not in ("https", "http"):  # mailto:, javascript:...
            raise WebhookUrlError(
                f"{code(url)} isn't a web address: webhooks take `https://` URLs."
            )
        raise WebhookUrlError(
            f"{code(url)} isn't a URL I can read.", f"https://{url[odd.end() :].lstrip('/')}"
        )
    scheme = scheme.casefold()
    if scheme not in ("https", "http"):
        raise WebhookUrlError(f"{code(url)} isn't a web address: webhooks take `https://` URLs.")
    try:
        parts = urlsplit(f"{scheme}://{rest}")
        port = parts.port
    except ValueError:
        raise WebhookUrlError(f"{code(url)} isn't a URL I can read.") from None
    if "@" in parts.netloc:
        raise WebhookUrlError(
            f"{code(url)} has a user name or password in it; webhooks can't carry credentials "
            "in the address. Use a secret path or check the signature header instead."
        )
    if port == 0:
        raise WebhookUrlError(f"{code(url)} has port 0, which nothing listens on.")
    host = _host(url, parts.hostname or "")
    loopback = _check_host(url, host, allow_loopback=allow_loopback)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    rest_of_it = (netloc, parts.path, parts.query, parts.fragment)
    if scheme == "http" and not loopback:
        raise WebhookUrlError(
            f"{code(url)} is plain http; webhooks carry your click data, so they need `https://`.",
            urlunsplit(("https", *rest_of_it)),
        )
    return urlunsplit((scheme, *rest_of_it))


def _host(url: str, hostname: str) -> str:
    # urlsplit lower-cases; IDNA turns `bücher.example` into ASCII and folds full-width digits
    # and ideographic dots, so full-width `127.0.0.1` is seen as the 127.0.0.1 it is.
    if not hostname:
        raise WebhookUrlError(f"{code(url)} has no host name.")
    if hostname.startswith("[") or ":" in hostname:
        return hostname.strip("[]")
    try:
        ascii_host = hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise WebhookUrlError(f"{code(url)} has a host name I can't read.") from None
    return ascii_host.removesuffix(".")


def _check_host(url: str, host: str, *, allow_loopback: bool) -> bool:
    """Raises for a host webhooks may not go to; True for an accepted loopback host."""
    address = _ip_literal(url, host)
    if address is not None:
        problem = AddressPolicy(allow_loopback=allow_loopback).address_problem(address)
        if problem is None:
            return address.is_loopback
        raise WebhookUrlError(
            f"{code(url)} points at {code(str(address))}, a private or reserved address "
            f"({problem}); webhooks go to public servers only."
        )
    if host == "localhost":
        if allow_loopback:
            return True
        raise WebhookUrlError(f"{code(url)} points at this machine; use a public server.")
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise WebhookUrlError(f"{code(url)} doesn't have a valid host name.")
    if len(labels) < 2 or labels[-1] in _PRIVATE_SUFFIXES or host.endswith(".home.arpa"):
        raise WebhookUrlError(
            f"{code(host)} is a name for inside a private network; webhooks go to public "
            "servers, with a name like `hooks.example.com`."
        )
    return False


def _ip_literal(url: str, host: str) -> IPAddress | None:
    """The address `host` is written as, in any form a resolver might accept; None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    parts = host.split(".")
    if ":" in host or not _IPV4_PART.fullmatch(parts[-1]):
        if ":" in host:
            raise WebhookUrlError(f"{code(url)} has an IPv6 address I can't read.")
        return None  # a name: no all-numeric top-level domain exists
    decoded = _inet_aton(parts)
    seen = f", which is {code(str(decoded))}" if decoded is not None else ""
    raise WebhookUrlError(
        f"{code(host)} is an IP address written in an unusual way{seen}; write a host name "
        "or a plain public address like `203.0.113.7`."
    )


def _inet_aton(parts: list[str]) -> ipaddress.IPv4Address | None:
    # The BSD reading: up to 4 parts, each hex/octal/decimal, the last one filling the rest.
    if not 1 <= len(parts) <= 4 or not all(_IPV4_PART.fullmatch(p) for p in parts):
        return None
    try:
        numbers = [_aton_part(p) for p in parts]
    except ValueError:
        return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        return None
    value = last
    for position, n in enumerate(head):
        value |= n << (8 * (3 - position))
    return ipaddress.IPv4Address(value)


def _aton_part(part: str) -> int:
    if part.startswith("0x"):
        return int(part, 16)
    return int(part, 8) if len(part) > 1 and part[0] == "0" else int(part)
