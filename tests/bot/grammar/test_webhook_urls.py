"""`check_webhook_url`: what may receive alert webhooks, judged from the URL text alone."""

from __future__ import annotations

import pytest

from bot.grammar import MAX_URL, WebhookUrlError, check_webhook_url


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("https://x.example/hook", "https://x.example/hook"),
        ("https://hooks.example.com/a/b?c=1&d=2", "https://hooks.example.com/a/b?c=1&d=2"),
        ("HTTPS://Hooks.Example.COM/Path", "https://hooks.example.com/Path"),
        ("https://x.example:8443/h", "https://x.example:8443/h"),
        ("https://x.example./h", "https://x.example/h"),
        ("  https://x.example/h  ", "https://x.example/h"),
        ("https://x.example", "https://x.example"),
        ("https://x.example/h#frag", "https://x.example/h#frag"),
        ("https://a-b.c_d.example/", "https://a-b.c_d.example/"),
        ("https://bücher.example/h", "https://xn--bcher-kva.example/h"),
        ("https://8.8.8.8/h", "https://8.8.8.8/h"),
        ("https://[2001:4860:4860::8888]/h", "https://[2001:4860:4860::8888]/h"),
        ("https://[2001:4860:4860::8888]:8443/h", "https://[2001:4860:4860::8888]:8443/h"),
        # Loopback, for tests and local demos: http allowed there only.
        ("http://127.0.0.1:8080/hook", "http://127.0.0.1:8080/hook"),
        ("http://127.9.9.9/hook", "http://127.9.9.9/hook"),
        ("https://127.0.0.1/hook", "https://127.0.0.1/hook"),
        ("http://[::1]:9000/hook", "http://[::1]:9000/hook"),
        ("http://localhost:9000/hook", "http://localhost:9000/hook"),
        ("http://LOCALHOST/hook", "http://localhost/hook"),
        ("https://localhost./hook", "https://localhost/hook"),
    ],
)
def test_accepted(url: str, normalized: str) -> None:
    assert check_webhook_url(url) == normalized


@pytest.mark.parametrize(
    ("url", "in_problem"),
    [
        # scheme
        ("http://x.example/hook", "plain http"),
        ("HTTP://x.example/hook", "plain http"),
        ("ftp://x.example/hook", "https://"),
        ("file:///etc/passwd", "https://"),
        ("gopher://x.example/", "https://"),
        ("hxxps://x.example/", "https://"),
        ("javascript:alert(1)", "isn't a web address"),
        ("mailto:a@x.example", "isn't a web address"),
        ("data:text/plain,hi", "isn't a web address"),
        ("https:/x.example/h", "URL I can read"),
        ("x.example/hook", "needs to start with"),
        ("//x.example/hook", "needs to start with"),
        # userinfo
        ("https://user:pw@x.example/", "password"),
        ("https://user@x.example/", "password"),
        ("https://x.example@evil.example/", "password"),
        ("https://x.example\\@evil.example/", "password"),
        ("https://@x.example/", "password"),
        # private, reserved and odd IP literals
        ("https://10.0.0.1/", "private"),
        ("https://172.16.5.4/", "private"),
        ("https://192.168.1.1/", "private"),
        ("https://100.64.0.1/", "private"),
        ("https://169.254.169.254/latest/meta-data", "private"),
        ("https://0.0.0.0/", "private"),
        ("https://224.0.0.1/", "private"),
        ("https://239.255.255.250/", "private"),
        ("https://240.0.0.1/", "private"),
        ("https://255.255.255.255/", "private"),
        ("https://192.0.2.1/", "private"),
        ("https://198.18.0.1/", "private"),
        ("https://[::]/", "private"),
        ("https://[fe80::1]/", "private"),
        ("https://[fe80::1%25eth0]/", "private"),
        ("https://[fc00::1]/", "private"),
        ("https://[fd12:3456::1]/", "private"),
        ("https://[ff02::1]/", "private"),
        ("https://[::ffff:10.0.0.1]/", "private"),
        ("https://[::ffff:127.0.0.1]/", "private"),
        ("https://[2002:0a00:0001::1]/", "private"),  # 6to4 of 10.0.0.1
        ("https://[64:ff9b::a00:1]/", "private"),  # NAT64 of 10.0.0.1
        ("https://[2001:db8::1]/", "private"),
        ("https://[1:2:3]/", "URL I can read"),
        # IPv4 in disguise
        ("https://2130706433/", "`127.0.0.1`"),
        ("https://0x7f000001/", "`127.0.0.1`"),
        ("https://0x7f.0x0.0x0.0x1/", "`127.0.0.1`"),
        ("https://0177.0.0.1/", "`127.0.0.1`"),
        ("https://0177.1/", "`127.0.0.1`"),
        ("https://127.1/", "`127.0.0.1`"),
        ("https://127.0.1/", "`127.0.0.1`"),
        ("https://167772161/", "`10.0.0.1`"),
        ("https://010.0.0.1/", "`8.0.0.1`"),
        ("https://08.8.8.8/", "unusual way"),
        ("https://1.2.3.4.5/", "unusual way"),
        ("https://999.1.1.1/", "unusual way"),
        ("https://4294967296/", "unusual way"),
        ("https://%31%32%37.0.0.1/", "unusual way"),
        # private names
        ("https://printer.local/", "private network"),
        ("https://db.internal/", "private network"),
        ("https://intranet/", "private network"),
        ("https://a.localhost/", "private network"),
        ("https://box.localdomain/", "private network"),
        ("https://nas.home.arpa/", "private network"),
        ("https://1.0.0.10.in-addr.arpa/", "private network"),
        ("https://router.lan/", "private network"),
        ("http://localhost.example/", "plain http"),
        # malformed hosts and ports
        ("https://-x.example/", "valid host name"),
        ("https://x..example/", "host name"),
        ("https://x.example:0/", "port 0"),
        ("https://x.example:99999/", "URL I can read"),
        ("https://x.example:abc/", "URL I can read"),
        ("https:///path", "no host"),
        ("https://" + "a" * 64 + ".example/", "host name"),
        ("https://x.example/a b", "spaces"),
        ("https://x.example/\x00", "invisible"),
        ("", "spaces or invisible"),
        ("https://x.example/" + "a" * MAX_URL, "2,000"),
    ],
)
def test_refused(url: str, in_problem: str) -> None:
    with pytest.raises(WebhookUrlError) as caught:
        check_webhook_url(url)
    assert in_problem in caught.value.problem
    assert "<" not in caught.value.problem  # user text is escaped for Slack


@pytest.mark.parametrize(
    ("url", "replacement"),
    [
        ("http://x.example/hook", "https://x.example/hook"),
        ("http://x.example:8080/h?a=1", "https://x.example:8080/h?a=1"),
        ("x.example/hook", "https://x.example/hook"),
        ("https:/x.example/h", "https://x.example/h"),
    ],
)
def test_https_is_suggested(url: str, replacement: str) -> None:
    with pytest.raises(WebhookUrlError) as caught:
        check_webhook_url(url)
    assert caught.value.replacement == replacement
    assert check_webhook_url(replacement) == replacement


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/h", "https://[::1]/h", "http://localhost/h", "https://2130706433/"],
)
def test_loopback_can_be_refused(url: str) -> None:
    with pytest.raises(WebhookUrlError):
        check_webhook_url(url, allow_loopback=False)


def test_longest_url_is_accepted() -> None:
    url = "https://x.example/" + "a" * (MAX_URL - len("https://x.example/"))
    assert check_webhook_url(url) == url


def test_full_width_digits_are_read_as_the_address_they_are() -> None:
    # IDNA folds full-width digits and dots: these are 10.0.0.1 and 127.0.0.1.
    with pytest.raises(WebhookUrlError):
        check_webhook_url("https://１０．０．０．１/")
    with pytest.raises(WebhookUrlError):
        check_webhook_url("https://１２７．０．０．１/", allow_loopback=False)
