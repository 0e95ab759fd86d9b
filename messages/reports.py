"""What TOP reports are called in Slack: one place for answers and digests alike."""

from __future__ import annotations

from clickmeter import TopReport

#: Report -> (title in user words, the singular for a column).
REPORT_NAMES: dict[TopReport, tuple[str, str]] = {
    TopReport.COUNTRIES: ("Countries", "Country"),
    TopReport.REFERRERS: ("Referrers", "Referrer"),
    TopReport.DESTINATIONS: ("Destinations", "Destination"),
    TopReport.BROWSERS: ("Browsers", "Browser"),
    TopReport.PLATFORMS: ("Platforms", "Platform"),
    TopReport.OSS: ("Operating systems", "OS"),
    TopReport.CITIES: ("Cities", "City"),
    TopReport.LANGUAGES: ("Languages", "Language"),
    TopReport.KEYWORDS: ("Keywords", "Keyword"),
    TopReport.PARAMS: ("Query parameters", "Parameters"),
    TopReport.ISPS: ("ISPs", "ISP"),
    TopReport.IPS: ("IP addresses", "IP"),
    TopReport.BROWSERS_FAMILIES: ("Browser families", "Browser family"),
    TopReport.OSS_FAMILIES: ("OS families", "OS family"),
}
