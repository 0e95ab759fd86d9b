"""Fixed vocabularies of the synthetic traffic: where visitors come from and what they run.

Weights are rough shares of real-world link traffic; only their relative sizes matter.
"""

from __future__ import annotations

from typing import NamedTuple


class City(NamedTuple):
    name: str
    region: str
    lat: float
    lon: float


class Country(NamedTuple):
    code: str
    weight: float
    language: str
    cities: tuple[City, ...]
    isps: tuple[str, ...]


COUNTRIES: tuple[Country, ...] = (
    Country(
        "US",
        30,
        "en-US",
        (
            City("New York", "NY", 40.71, -74.0),
            City("Los Angeles", "CA", 34.05, -118.24),
            City("Chicago", "IL", 41.88, -87.63),
            City("Austin", "TX", 30.27, -97.74),
            City("Seattle", "WA", 47.61, -122.33),
        ),
        ("Comcast Cable", "AT&T Services", "Verizon Business", "Charter Communications"),
    ),
    Country(
        "GB",
        10,
        "en-GB",
        (
            City("London", "ENG", 51.51, -0.13),
            City("Manchester", "ENG", 53.48, -2.24),
            City("Edinburgh", "SCT", 55.95, -3.19),
        ),
        ("BT Public Internet Service", "Virgin Media", "Sky Broadband"),
    ),
    Country(
        "DE",
        12,
        "de-DE",
        (
            City("Berlin", "BE", 52.52, 13.40),
            City("Munich", "BY", 48.14, 11.58),
            City("Hamburg", "HH", 53.55, 9.99),
            City("Cologne", "NW", 50.94, 6.96),
        ),
        ("Deutsche Telekom AG", "Vodafone GmbH", "Telefonica Germany"),
    ),
    Country(
        "FR",
        7,
        "fr-FR",
        (
            City("Paris", "IDF", 48.86, 2.35),
            City("Lyon", "ARA", 45.76, 4.84),
            City("Marseille", "PAC", 43.30, 5.37),
        ),
        ("Orange", "Free SAS", "SFR"),
    ),
    Country(
        "IT",
        8,
        "it-IT",
        (
            City("Rome", "LAZ", 41.90, 12.50),
            City("Milan", "LOM", 45.46, 9.19),
            City("Naples", "CAM", 40.85, 14.27),
        ),
        ("Telecom Italia", "Fastweb", "Vodafone Italia"),
    ),
    Country(
        "ES",
        5,
        "es-ES",
        (
            City("Madrid", "MD", 40.42, -3.70),
            City("Barcelona", "CT", 41.39, 2.17),
        ),
        ("Telefonica de Espana", "Orange Espagne"),
    ),
    Country(
        "NL",
        4,
        "nl-NL",
        (
            City("Amsterdam", "NH", 52.37, 4.90),
            City("Rotterdam", "ZH", 51.92, 4.48),
        ),
        ("KPN", "Ziggo"),
    ),
    Country(
        "CA",
        5,
        "en-CA",
        (
            City("Toronto", "ON", 43.65, -79.38),
            City("Vancouver", "BC", 49.28, -123.12),
            City("Montreal", "QC", 45.50, -73.57),
        ),
        ("Rogers Communications", "Bell Canada"),
    ),
    Country(
        "IN",
        6,
        "en-IN",
        (
            City("Mumbai", "MH", 19.08, 72.88),
            City("Bangalore", "KA", 12.97, 77.59),
            City("Delhi", "DL", 28.70, 77.10),
        ),
        ("Reliance Jio", "Bharti Airtel"),
    ),
    Country(
        "BR",
        4,
        "pt-BR",
        (
            City("Sao Paulo", "SP", -23.55, -46.63),
            City("Rio de Janeiro", "RJ", -22.91, -43.17),
        ),
        ("Claro S.A.", "Telefonica Brasil"),
    ),
    Country(
        "AU",
        3,
        "en-AU",
        (
            City("Sydney", "NSW", -33.87, 151.21),
            City("Melbourne", "VIC", -37.81, 144.96),
        ),
        ("Telstra", "Optus"),
    ),
    Country(
        "JP",
        3,
        "ja-JP",
        (
            City("Tokyo", "13", 35.68, 139.69),
            City("Osaka", "27", 34.69, 135.50),
        ),
        ("NTT Communications", "KDDI"),
    ),
    Country("CH", 2, "de-CH", (City("Zurich", "ZH", 47.38, 8.54),), ("Swisscom",)),
    Country("SE", 1, "sv-SE", (City("Stockholm", "AB", 59.33, 18.07),), ("Telia Company",)),
)


class Browser(NamedTuple):
    name: str
    family: str
    platform: str  # what ClickMeter calls browserType: Desktop / Mobile / Tablet / Spider
    os: str
    os_family: str
    weight: float


BROWSERS: tuple[Browser, ...] = (
    Browser("Chrome 131", "Chrome", "Desktop", "Windows 11", "Windows", 22),
    Browser("Chrome 131", "Chrome", "Desktop", "Windows 10", "Windows", 12),
    Browser("Chrome 130", "Chrome", "Desktop", "macOS 14", "Mac OS X", 6),
    Browser("Safari 18", "Safari", "Desktop", "macOS 15", "Mac OS X", 6),
    Browser("Edge 131", "Edge", "Desktop", "Windows 11", "Windows", 6),
    Browser("Firefox 133", "Firefox", "Desktop", "Windows 10", "Windows", 3),
    Browser("Firefox 133", "Firefox", "Desktop", "Ubuntu", "Linux", 1),
    Browser("Mobile Safari 18", "Mobile Safari", "Mobile", "iOS 18", "iOS", 17),
    Browser("Chrome Mobile 131", "Chrome Mobile", "Mobile", "Android 14", "Android", 15),
    Browser("Samsung Internet 26", "Samsung Internet", "Mobile", "Android 14", "Android", 3),
    Browser("Mobile Safari 18", "Mobile Safari", "Tablet", "iPadOS 18", "iOS", 4),
    Browser("Chrome Mobile 131", "Chrome Mobile", "Tablet", "Android 13", "Android", 1),
)

SPIDERS: tuple[Browser, ...] = (
    Browser("Googlebot 2.1", "Googlebot", "Spider", "Unknown", "Unknown", 3),
    Browser("bingbot 2.0", "bingbot", "Spider", "Unknown", "Unknown", 1),
    Browser("Slackbot-LinkExpanding 1.0", "Slackbot", "Spider", "Unknown", "Unknown", 1),
)


class Referrer(NamedTuple):
    host: str
    search: bool
    weight: float


#: Direct traffic (no referrer) is the remaining share, see traffic.py.
REFERRERS: tuple[Referrer, ...] = (
    Referrer("www.google.com", True, 20),
    Referrer("www.bing.com", True, 3),
    Referrer("duckduckgo.com", True, 1),
    Referrer("www.facebook.com", False, 8),
    Referrer("t.co", False, 5),
    Referrer("www.linkedin.com", False, 5),
    Referrer("www.instagram.com", False, 4),
    Referrer("mail.google.com", False, 6),
    Referrer("outlook.live.com", False, 3),
    Referrer("news.ycombinator.com", False, 1),
    Referrer("www.reddit.com", False, 2),
)

KEYWORDS: tuple[str, ...] = (
    "spring sale",
    "discount code",
    "link tracking",
    "url shortener",
    "click analytics",
    "free shipping",
    "best running shoes",
    "newsletter signup",
    "webinar marketing",
    "black friday deals",
    "conversion tracking",
    "utm builder",
)

PARAMS: tuple[str, ...] = (
    "utm_source=newsletter&utm_medium=email",
    "utm_source=facebook&utm_medium=social",
    "utm_source=twitter&utm_medium=social",
    "utm_source=google&utm_medium=cpc",
    "ref=partner42",
    "gclid=Cj0KCQiA",
)

GROUPS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    # (campaign name, datapoint name stems, tag names)
    ("Spring Sale", ("spring-sale", "spring-promo", "spring-coupon"), ("email", "paid")),
    ("Weekly Newsletter", ("newsletter", "nl-issue", "digest"), ("newsletter", "email")),
    ("Blog", ("blog-post", "guide", "how-to"), ("content", "social")),
    ("Product Launch", ("launch", "product-tour", "pricing"), ("paid", "social")),
    ("Black Friday", ("black-friday", "bf-deal", "cyber-monday"), ("paid", "email")),
    ("Webinars", ("webinar", "webinar-replay", "slides"), ("events",)),
    ("Social Organic", ("tw-post", "li-post", "ig-bio"), ("social",)),
    ("Paid Search", ("adwords", "bing-ads", "brand-kw"), ("paid", "search")),
    ("Partners", ("partner", "affiliate", "reseller"), ("affiliate",)),
    ("Podcast", ("podcast-ep", "show-notes"), ("audio", "content")),
    ("Retargeting", ("rt-banner", "rt-cart"), ("paid",)),
    ("Holiday Gifts", ("gift-guide", "holiday-deal", "xmas"), ("email", "seasonal")),
)

WORDS: tuple[str, ...] = (
    "shoes",
    "jackets",
    "summer",
    "winter",
    "analytics",
    "tips",
    "checklist",
    "q1",
    "q2",
    "q3",
    "q4",
    "europe",
    "usa",
    "mobile",
    "desktop",
    "bundle",
    "starter",
    "pro",
    "team",
    "kids",
    "outdoor",
    "yoga",
    "coffee",
    "travel",
    "books",
    "audio",
    "camera",
    "garden",
)

SITES: tuple[str, ...] = (
    "https://shop.example.com",
    "https://www.example.com",
    "https://blog.example.com",
    "https://events.example.com",
    "https://partners.example.org",
)

CONVERSIONS: tuple[tuple[str, float], ...] = (
    ("Purchase", 49.9),
    ("Signup", 0.0),
    ("Newsletter subscription", 1.0),
    ("Webinar registration", 5.0),
    ("Trial start", 12.0),
    ("Demo request", 30.0),
)
