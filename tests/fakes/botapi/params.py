"""The parameters of one Bot API call: query string, JSON, urlencoded or multipart body."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fakes.botapi.errors import bad_request
from tests.fakes.botapi.records import JSON, Upload

if TYPE_CHECKING:
    from tests.fakes.botapi.server import FakeBotAPI


class Params:
    """Parameters of one Bot API call, converted on access as Telegram does."""

    def __init__(self, values: JSON, uploads: dict[str, Upload]) -> None:
        self.values = values
        self.uploads = uploads

    def public(self) -> JSON:
        """Return the non-file parameters (for records)."""
        return dict(self.values)

    def raw(self, name: str) -> Any:
        """Return the parameter as received, or None."""
        return self.values.get(name)

    def get_str(self, name: str) -> str | None:
        """Return a string parameter."""
        value = self.raw(name)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(self, name: str) -> int | None:
        """Return an integer parameter (400 if it is not an integer)."""
        value = self.raw(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_float(self, name: str) -> float | None:
        """Return a float parameter (400 if it is not a number)."""
        value = self.raw(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        """Return a boolean parameter (absent means False)."""
        value = self.raw(name)
        if isinstance(value, str):
            return value.strip().lower() in {"true", "1"}
        return bool(value)

    def get_json(self, name: str) -> Any:
        """Return a JSON-serialized parameter, decoding form-encoded strings."""
        value = self.raw(name)
        if not isinstance(value, str):
            return value
        if not value:
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def chat_ref(self, name: str = "chat_id") -> int | str:
        """Return a chat id or ``@username``."""
        value = self.raw(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, int):
            return value
        text = str(value).strip()
        return int(text) if text.lstrip("-").isdigit() else text

    def input_file(self, name: str) -> Upload | str | None:
        """Return the uploaded file or the string reference sent for ``name``."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.get_str(name)
        if value and value.startswith("attach://"):
            return self.uploads.get(value.removeprefix("attach://"))
        return value or None


async def read_params(request: web.Request) -> Params:
    """Collect parameters from the query string and a JSON, urlencoded or multipart body."""
    values: JSON = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.content_type == "application/json":
        body = await request.read()
        if body:
            try:
                decoded = json.loads(body)
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            values.update(decoded if isinstance(decoded, dict) else {})
    elif request.content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                uploads[name] = Upload(name, value.filename, value.content_type, value.file.read())
            else:
                values[name] = value if isinstance(value, str) else bytes(value).decode()
    return Params(values, uploads)


# A Bot API method: the server and the call's parameters in, the ``result`` out.
Handler = Callable[["FakeBotAPI", Params], Any]
