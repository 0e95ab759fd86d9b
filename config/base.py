"""What every settings group shares: the error a user reads, the base class, the value checks."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BeforeValidator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SLACK_API_URL = "https://slack.com/api/"


_HTTP_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s]*)?$")


class SettingsError(Exception):
    """One or more settings are missing or malformed; `str()` has one line per variable."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _strip(value: Any) -> Any:
    # Values pasted into .env often carry stray spaces or quotes; they are never meaningful here.
    return value.strip().strip("'\"").strip() if isinstance(value, str) else value


def _http_url(value: str) -> str:
    if not _HTTP_URL.match(value):
        raise ValueError("not an http(s) URL")
    return value


def _trailing_slash(value: str) -> str:
    return value if value.endswith("/") else value + "/"


Stripped = BeforeValidator(_strip)
HttpUrl = Annotated[str, Stripped, AfterValidator(_http_url)]


class _Group(BaseSettings):
    """Common behaviour: environment first, then `.env`; unrelated variables are ignored."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    #: What each variable must hold, in the words of the one-line error a user sees.
    expected: ClassVar[dict[str, str]] = {}
