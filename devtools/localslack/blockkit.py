"""Block Kit validation with Slack's limits and Slack-style error messages.

Each problem is reported like Slack does in `response_metadata.messages`:
`"[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"`.
Not every rule of Slack's schema is here, but the ones a bot trips over are.
"""

from __future__ import annotations

from typing import Any

MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100

BLOCK_TYPES = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "table",
        "video",
    }
)
INTERACTIVE_TYPES = frozenset(
    {
        "button",
        "checkboxes",
        "datepicker",
        "datetimepicker",
        "timepicker",
        "overflow",
        "radio_buttons",
        "plain_text_input",
        "number_input",
        "email_text_input",
        "url_text_input",
        "rich_text_input",
        "file_input",
        "workflow_button",
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
    }
)
_TEXT_TYPES = ("plain_text", "mrkdwn")


def error(message: str, pointer: str) -> str:
    return f"[ERROR] {message} [json-pointer:{pointer}]"


def validate_blocks(
    blocks: object, *, limit: int = MESSAGE_BLOCK_LIMIT, at: str = "/blocks"
) -> list[str]:
    """Problems with a `blocks` array (empty list = valid)."""
    return _Checker().blocks(blocks, limit, at)


def validate_view(view: object, *, at: str = "/view") -> list[str]:
    """Problems with a modal or home tab view."""
    return _Checker().view(view, at)


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.block_ids: set[str] = set()

    def fail(self, message: str, pointer: str) -> None:
        self.errors.append(error(message, pointer))

    # --- containers -------------------------------------------------------

    def view(self, view: object, at: str) -> list[str]:
        if not isinstance(view, dict):
            self.fail("must be an object", at)
            return self.errors
        kind = view.get("type")
        if kind not in ("modal", "home"):
            self.fail("must be a valid enum value", f"{at}/type")
        if kind == "modal":
            self.text(view.get("title"), f"{at}/title", max_len=24, plain_only=True)
            for key in ("submit", "close"):
                if key in view:
                    self.text(view[key], f"{at}/{key}", max_len=24, plain_only=True)
        self.string(view, "callback_id", at, 255)
        self.string(view, "private_metadata", at, 3000)
        self.string(view, "external_id", at, 255)
        self.blocks(view.get("blocks"), VIEW_BLOCK_LIMIT, f"{at}/blocks")
        return self.errors

    def blocks(self, blocks: object, limit: int, at: str) -> list[str]:
        if not isinstance(blocks, list):
            self.fail("must be an array", at)
            return self.errors
        if len(blocks) > limit:
            self.fail(f"no more than {limit} items allowed", at)
        for index, block in enumerate(blocks):
            self.block(block, f"{at}/{index}")
        return self.errors

    def block(self, block: object, at: str) -> None:
        if not isinstance(block, dict):
            self.fail("must be an object", at)
            return
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            self.fail(f"unsupported type: {kind}", f"{at}/type")
            return
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or not 0 < len(block_id) <= 255:
                self.fail("must be a string of 1 to 255 characters", f"{at}/block_id")
            elif block_id in self.block_ids:
                self.fail(f"duplicate block_id: {block_id}", f"{at}/block_id")
            else:
                self.block_ids.add(block_id)
        check = getattr(self, f"block_{kind}", None)
        if check is not None:
            check(block, at)

    # --- blocks -----------------------------------------------------------

    def block_section(self, block: dict[str, Any], at: str) -> None:
        if "text" not in block and "fields" not in block:
            self.fail("must provide either text or fields", at)
        if "text" in block:
            self.text(block["text"], f"{at}/text", max_len=3000)
        if "fields" in block:
            fields = block["fields"]
            if not isinstance(fields, list) or not fields:
                self.fail("must be a non-empty array", f"{at}/fields")
            else:
                if len(fields) > 10:
                    self.fail("no more than 10 items allowed", f"{at}/fields")
                for index, item in enumerate(fields):
                    self.text(item, f"{at}/fields/{index}", max_len=2000)
        if "accessory" in block:
            self.element(block["accessory"], f"{at}/accessory", set())

    def block_header(self, block: dict[str, Any], at: str) -> None:
        self.text(block.get("text"), f"{at}/text", max_len=150, plain_only=True)

    def block_context(self, block: dict[str, Any], at: str) -> None:
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            self.fail("must be a non-empty array", f"{at}/elements")
            return
        if len(elements) > 10:
            self.fail("no more than 10 items allowed", f"{at}/elements")
        for index, item in enumerate(elements):
            where = f"{at}/elements/{index}"
            if isinstance(item, dict) and item.get("type") == "image":
                self.image(item, where)
            else:
                self.text(item, where, max_len=3000)

    def block_actions(self, block: dict[str, Any], at: str) -> None:
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            self.fail("must be a non-empty array", f"{at}/elements")
            return
        if len(elements) > 25:
            self.fail("no more than 25 items allowed", f"{at}/elements")
        action_ids: set[str] = set()
        for index, item in enumerate(elements):
            self.element(item, f"{at}/elements/{index}", action_ids)

    def block_image(self, block: dict[str, Any], at: str) -> None:
        self.image(block, at)
        if "title" in block:
            self.text(block["title"], f"{at}/title", max_len=2000, plain_only=True)

    def block_input(self, block: dict[str, Any], at: str) -> None:
        self.text(block.get("label"), f"{at}/label", max_len=2000, plain_only=True)
        if "element" not in block:
            self.fail("missing required field: element", at)
        else:
            self.element(block["element"], f"{at}/element", set())

    # --- elements and composition objects ---------------------------------

    def element(self, element: object, at: str, action_ids: set[str]) -> None:
        if not isinstance(element, dict):
            self.fail("must be an object", at)
            return
        kind = element.get("type")
        if kind == "image":
            self.image(element, at)
            return
        if kind not in INTERACTIVE_TYPES:
            self.fail(f"unsupported type: {kind}", f"{at}/type")
            return
        action_id = element.get("action_id")
        if action_id is not None:
            if not isinstance(action_id, str) or not 0 < len(action_id) <= 255:
                self.fail("must be a string of 1 to 255 characters", f"{at}/action_id")
            elif action_id in action_ids:
                self.fail(f"duplicate action_id: {action_id}", f"{at}/action_id")
            else:
                action_ids.add(action_id)
        if kind == "button":
            self.text(element.get("text"), f"{at}/text", max_len=75, plain_only=True)
            self.string(element, "value", at, 2000)
            self.string(element, "url", at, 3000)
            if "style" in element and element["style"] not in ("primary", "danger"):
                self.fail("must be a valid enum value", f"{at}/style")
        if "placeholder" in element:
            self.text(element["placeholder"], f"{at}/placeholder", max_len=150, plain_only=True)
        if "options" in element:
            self.options(element["options"], f"{at}/options", 5 if kind == "overflow" else 100)
        if "confirm" in element:
            self.confirm(element["confirm"], f"{at}/confirm")

    def options(self, options: object, at: str, limit: int) -> None:
        if not isinstance(options, list) or not options:
            self.fail("must be a non-empty array", at)
            return
        if len(options) > limit:
            self.fail(f"no more than {limit} items allowed", at)
        for index, option in enumerate(options):
            where = f"{at}/{index}"
            if not isinstance(option, dict):
                self.fail("must be an object", where)
                continue
            self.text(option.get("text"), f"{where}/text", max_len=75)
            if not isinstance(option.get("value"), str):
                self.fail("missing required field: value", where)
            else:
                self.string(option, "value", where, 150)

    def confirm(self, confirm: object, at: str) -> None:
        if not isinstance(confirm, dict):
            self.fail("must be an object", at)
            return
        self.text(confirm.get("title"), f"{at}/title", max_len=100, plain_only=True)
        self.text(confirm.get("text"), f"{at}/text", max_len=300)
        self.text(confirm.get("confirm"), f"{at}/confirm", max_len=30, plain_only=True)
        self.text(confirm.get("deny"), f"{at}/deny", max_len=30, plain_only=True)

    def image(self, image: dict[str, Any], at: str) -> None:
        if "image_url" not in image and "slack_file" not in image:
            self.fail("missing required field: image_url", at)
        else:
            self.string(image, "image_url", at, 3000)
        if not isinstance(image.get("alt_text"), str):
            self.fail("missing required field: alt_text", at)
        else:
            self.string(image, "alt_text", at, 2000)

    def text(self, obj: object, at: str, *, max_len: int, plain_only: bool = False) -> None:
        if obj is None:
            self.fail(f"missing required field: {at.rsplit('/', 1)[-1]}", at.rsplit("/", 1)[0])
            return
        if not isinstance(obj, dict):
            self.fail("must be an object", at)
            return
        kind = obj.get("type")
        if kind not in (("plain_text",) if plain_only else _TEXT_TYPES):
            self.fail("must be a valid enum value", f"{at}/type")
        if kind == "mrkdwn" and "emoji" in obj:
            self.fail("emoji is not allowed on mrkdwn text objects", f"{at}/emoji")
        if kind == "plain_text" and "verbatim" in obj:
            self.fail("verbatim is not allowed on plain_text text objects", f"{at}/verbatim")
        text = obj.get("text")
        if not isinstance(text, str):
            self.fail("missing required field: text", at)
        elif not text:
            self.fail("must be more than 0 characters", f"{at}/text")
        elif len(text) > max_len:
            self.fail(f"must be less than {max_len + 1} characters", f"{at}/text")

    def string(self, obj: dict[str, Any], key: str, at: str, max_len: int) -> None:
        if key not in obj:
            return
        value = obj[key]
        if not isinstance(value, str):
            self.fail("must be a string", f"{at}/{key}")
        elif len(value) > max_len:
            self.fail(f"must be less than {max_len + 1} characters", f"{at}/{key}")
