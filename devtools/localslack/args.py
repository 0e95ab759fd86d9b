"""Reading Web API arguments the way Slack does (strings from forms, objects from JSON)."""

from __future__ import annotations

import json
from typing import Any

from devtools.localslack import blockkit
from devtools.localslack.models import ApiError

MAX_TEXT = 40_000


def as_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def as_int(value: object, default: int | None = None) -> int | None:
    if value is None or value == "":
        return default
    try:
        return int(str(value))
    except ValueError:
        raise ApiError("invalid_arguments") from None


def json_arg(args: dict[str, Any], key: str, bad_format: str) -> Any:
    """`args[key]` decoded if it came as a JSON string (form-encoded); None if absent."""
    value = args.get(key)
    if isinstance(value, str):
        if not value:
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(bad_format) from None
    return value


def message_content(args: dict[str, Any], *, require: bool) -> dict[str, Any]:
    """text / blocks / attachments / metadata of a chat.* call, validated like Slack."""
    text = args.get("text")
    if text is not None and not isinstance(text, str):
        text = str(text)
    blocks = json_arg(args, "blocks", "invalid_blocks_format")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise ApiError("invalid_blocks_format")
        problems = blockkit.validate_blocks(blocks)
        if problems:
            raise ApiError("invalid_blocks", problems)
    attachments = json_arg(args, "attachments", "invalid_attachments")
    if attachments is not None and not isinstance(attachments, list):
        raise ApiError("invalid_attachments")
    if require and not text and not blocks and not attachments:
        raise ApiError("no_text")
    if text is not None and len(text) > MAX_TEXT:
        raise ApiError("msg_too_long")
    return {
        "text": text or "",
        "blocks": blocks,
        "attachments": attachments,
        "metadata": _metadata(args),
    }


def _metadata(args: dict[str, Any]) -> dict[str, Any] | None:
    metadata = json_arg(args, "metadata", "invalid_metadata_format")
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise ApiError("invalid_metadata_format")
    event_type = metadata.get("event_type")
    payload = metadata.get("event_payload")
    if not isinstance(event_type, str) or not event_type or not isinstance(payload, dict):
        raise ApiError("invalid_metadata_schema")
    if len(json.dumps(metadata)) > 8_000:
        raise ApiError("metadata_too_large")
    return {"event_type": event_type, "event_payload": payload}
