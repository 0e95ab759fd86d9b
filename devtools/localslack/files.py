"""files.getUploadURLExternal + upload URL + files.completeUploadExternal (files_upload_v2)."""

from __future__ import annotations

from typing import Any

from devtools.localslack.args import as_int, json_arg
from devtools.localslack.models import ApiError, Message
from devtools.localslack.workspace import UploadedFile, Workspace, api


@api("files.getUploadURLExternal")
def get_upload_url(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    filename = args.get("filename")
    length = as_int(args.get("length"))
    if not isinstance(filename, str) or not filename or length is None or length < 0:
        raise ApiError("invalid_arguments")
    file = UploadedFile(ws._new_id("F"), filename, length, alt_txt=args.get("alt_txt"))
    ws.files[file.id] = file
    return {"upload_url": f"{base}/upload/{file.id}", "file_id": file.id}


def receive_upload(ws: Workspace, file_id: str, data: bytes) -> tuple[int, str]:
    """The upload URL: (HTTP status, body) like files.slack.com answers."""
    with ws.lock:
        file = ws.files.get(file_id)
        if file is None:
            return 404, "file not found"
        file.content = data
        return 200, f"OK - {len(data)}"


@api("files.completeUploadExternal")
def complete_upload(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    items = json_arg(args, "files", "invalid_arguments")
    if not isinstance(items, list) or not items:
        raise ApiError("invalid_arguments")
    uploads: list[UploadedFile] = []
    for item in items:
        file_id = item.get("id") if isinstance(item, dict) else None
        file = ws.files.get(file_id) if isinstance(file_id, str) else None
        if file is None or file.content is None:
            raise ApiError("file_not_found")
        if item.get("title"):
            file.title = str(item["title"])
        uploads.append(file)
    targets = [args["channel_id"]] if args.get("channel_id") else []
    targets += [c for c in str(args.get("channels") or "").split(",") if c]
    comment = args.get("initial_comment")
    for target in targets:
        channel = ws._channel({"channel": target}, write=True)
        parent = ws._thread_parent(channel, args.get("thread_ts"))
        for file in uploads:
            file.channels.append(channel.id)
        message = Message(
            channel.id,
            ws._next_ts(),
            text=str(comment or ""),
            files=[file.info() for file in uploads],
        )
        ws._add(message, parent)
    return {"files": [file.info() for file in uploads]}
