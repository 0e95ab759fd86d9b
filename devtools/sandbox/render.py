"""JSON bodies the way the real service writes them: default values left out."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]


_SCALARS = (int, float, str, type(None))


def compact(body: JSON) -> JSON:
    """`body` without zero/false/null/empty-string values, recursively through objects.

    Lists are kept even when empty (`{"entities": []}`), but objects inside them are compacted;
    an object that becomes empty inside another object is dropped. Integer enums whose
    default is 0 (Active, TrackingLink) go with the zeros, as on the real service.
    """
    out: JSON = {}
    for key, value in body.items():
        if isinstance(value, dict):
            inner = compact(value)
            if inner:
                out[key] = inner
        elif isinstance(value, list):
            out[key] = [compact(item) if isinstance(item, dict) else item for item in value]
        # 0, 0.0, False (an int), None and "" are all falsy scalars: the defaults.
        elif value or not isinstance(value, _SCALARS):
            out[key] = value
    return out


def error_body(http_code: int, message: str, error_code: int | None = None) -> JSON:
    """The documented 401/404/429/500 body."""
    return {
        "errorCode": http_code if error_code is None else error_code,
        "httpErrorCode": http_code,
        "Message": message,
    }


def validation_body(errors: list[tuple[str, str, str]]) -> JSON:
    """The recorded 403 body: one entry per (property, message, code)."""
    return {
        "errors": [
            {"property": prop, "errorMessage": message, "code": code}
            for prop, message, code in errors
        ]
    }
