"""Files users send the bot, and getting them back: ``getFile`` and the download route.

As on Telegram, a user's document arrives in an update with its ``file_id``; ``getFile``
answers a ``File`` with a ``file_path`` (refusing a file over the 20 MB a bot may download,
"file is too big", and an unknown id, "invalid file_id"), and the bytes are then served at
``/file/bot<token>/<file_path>``.
"""

from __future__ import annotations

import mimetypes
from typing import TYPE_CHECKING, Final

from aiohttp import web

from tests.fakes.botapi.errors import bad_request
from tests.fakes.botapi.params import Params
from tests.fakes.botapi.records import JSON, StoredFile

if TYPE_CHECKING:
    from tests.fakes.botapi.server import FakeBotAPI

MAX_DOWNLOAD_BYTES: Final = 20 * 1024 * 1024  # what getFile lets a bot download


def store_user_file(api: FakeBotAPI, data: bytes, file_name: str,
                    mime_type: str | None = None) -> StoredFile:
    """Keep a file a user sent; its ``file_path`` is where getFile will point."""
    number = next(api.file_ids)
    mime = mime_type or mimetypes.guess_type(file_name, strict=False)[0]
    stored = StoredFile(file_id=f"BQACAgIAAxkBAAI{number:08d}", file_unique_id=f"AgAE{number:06d}",
                        file_path=f"documents/file_{number}_{file_name}", data=data,
                        file_name=file_name, mime_type=mime)
    api.files[stored.file_id] = stored
    return stored


def document_json(stored: StoredFile) -> JSON:
    """The ``Document`` object of a message carrying ``stored``."""
    document: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                      "file_size": stored.size}
    if stored.file_name is not None:
        document["file_name"] = stored.file_name
    if stored.mime_type is not None:
        document["mime_type"] = stored.mime_type
    return document


def get_file(api: FakeBotAPI, p: Params) -> JSON:
    """The ``File`` for ``file_id``: its size and the path to download it from."""
    file_id = p.get_str("file_id")
    if not file_id:
        raise bad_request("file_id is empty")
    stored = api.files.get(file_id)
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > MAX_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "file_size": stored.size, "file_path": stored.file_path}


async def download(api: FakeBotAPI, request: web.Request) -> web.Response:
    """``GET /file/bot<token>/<file_path>``: the file's bytes, or 404 as Telegram answers."""
    if request.match_info["token"] != api.token:
        return web.Response(status=401, text="Unauthorized")
    path = request.match_info["path"]
    for stored in api.files.values():
        if stored.file_path == path and stored.size <= MAX_DOWNLOAD_BYTES:
            api.downloads.append(path)
            return web.Response(body=stored.data,
                                content_type=stored.mime_type or "application/octet-stream")
    return web.Response(status=404, text="Not Found")


HANDLERS: Final = {"getFile": get_file}
