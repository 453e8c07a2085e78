"""Files on Matrix: `!events` comes with its .ics, `!trade chart` with the chart, as m.file and
m.image events (encrypted media in an encrypted room), downloaded back from a real Synapse."""

from __future__ import annotations

from typing import Any

import pytest
from nio import MemoryDownloadResponse  # type: ignore[import-untyped]
from nio.crypto.attachments import decrypt_attachment  # type: ignore[import-untyped]

from tests.matrix.conftest import MakeHuman
from tests.matrix.helpers import BotRun, Human

PNG = b"\x89PNG\r\n\x1a\n"


async def _file_after(alice: Human, room: str, command: str, bot_id: str) -> dict[str, Any]:
    """Send ``command``; the file event the bot posts after its answer."""
    def files() -> list[dict[str, Any]]:
        return [e for e in alice.events.get(room, []) if e.get("sender") == bot_id
                and (e.get("content") or {}).get("msgtype") in ("m.file", "m.image")]

    before = len(files())
    sent = await alice.send(room, command)
    await alice.reply(room, sent)

    async def arrived() -> bool:
        return len(files()) > before

    await alice.until(arrived)
    return files()[before]


async def _download(alice: Human, content: dict[str, Any]) -> bytes:
    """The file's bytes as a client gets them (decrypted when the room is encrypted)."""
    encrypted = content.get("file")
    url = encrypted["url"] if encrypted else content["url"]
    response = await alice.client.download(mxc=url)
    assert isinstance(response, MemoryDownloadResponse), response
    if encrypted is None:
        return bytes(response.body)
    return bytes(decrypt_attachment(response.body, encrypted["key"]["k"],
                                    encrypted["hashes"]["sha256"], encrypted["iv"]))


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_events_calendar_and_trade_chart_are_sent_as_files(
        bot: BotRun, people: MakeHuman, encrypted: bool) -> None:
    alice = await people("alice")
    await bot.start()
    room = await alice.create_room(bot.account.user_id, encrypted=encrypted)
    await alice.wait_member(room, bot.account.user_id)
    bot_id = bot.account.user_id

    calendar = (await _file_after(alice, room, "!events", bot_id))["content"]
    assert calendar["msgtype"] == "m.file"
    assert calendar["filename"] == "bilat-events-kz-fr.ics"
    assert calendar["info"]["mimetype"] == "text/calendar"
    assert calendar["body"].startswith("Upcoming events with a known day")  # the caption
    assert ("file" in calendar) == encrypted and ("url" in calendar) != encrypted
    ics = await _download(alice, calendar)
    assert ics.startswith(b"BEGIN:VCALENDAR") and b"BEGIN:VEVENT" in ics

    chart = (await _file_after(alice, room, "!trade chart", bot_id))["content"]
    assert chart["msgtype"] == "m.image"
    assert chart["filename"] == "bilat-trade.png"
    assert chart["info"]["mimetype"] == "image/png"
    assert ("file" in chart) == encrypted
    assert (await _download(alice, chart)).startswith(PNG)
