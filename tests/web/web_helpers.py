"""The browser's side of the upload protocol, for tests."""

import json
from pathlib import Path


def request_ticket(client, *, filename, content_type, size):
    return client.post(
        "/api/uploads",
        data=json.dumps({"filename": filename, "content_type": content_type, "size": size}),
        content_type="application/json",
    )


def post_file(client, ticket: dict, path: Path, *, fields: dict | None = None):
    """The browser's half of the protocol: the ticket's fields, then the file, last."""
    data = {**ticket["fields"], **(fields or {})}
    with open(path, "rb") as file:
        data["file"] = file
        return client.post(ticket["url"], data=data)


CONTENT_TYPES = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".tif": "image/tiff",
    ".heic": "image/heic",
    ".heif": "image/heif",
    ".avif": "image/avif",
    ".mpo": "image/mpo",
}
