"""Editors send articles to the Telegram bot directly: pasted text, a link, a forwarded post;
each becomes a draft shown with its buttons. Anyone else's text gets the usual answer."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from bot.core.clock import FixedClock
from bot.store import newsroom as store
from tests.conftest import DATA
from tests.fakes.botapi import FakeBotAPI
from tests.newsroom.conftest import BODY, TITLE
from tests.newsroom.site import Site, article_html
from tests.newsroom.test_loop_telegram import keyboard, newsdesk
from tests.support.telegram import ADA, BOB

PASTED = (f"{TITLE}\n\nAstana, 10 June 2025 (Kazinform).\n\n{BODY}\n\n"
          "The two presidents also discussed education and critical raw materials.")


async def test_pasted_text_a_link_and_a_forward_become_drafts(
        api: FakeBotAPI, tmp_path: Path, site: Site) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA, data_dir)
    clock = FixedClock(datetime(2025, 6, 11, 5, tzinfo=UTC))
    site.pages["/news/kz-fr"] = article_html(TITLE, BODY)
    async with newsdesk(api, tmp_path / "bilat.sqlite3", data_dir, data_dir / "sources.yaml",
                        clock) as desk:
        before = len(api.messages(BOB))
        api.send_message(BOB, BOB, site.url("/news/kz-fr"), entities=[])
        [linked] = (await api.wait_for_messages(BOB, before + 1))[before:]
        assert (linked.plain_text or "").startswith(f"Draft 1 · Loopback News\n{TITLE}\n")
        assert "Publish" in keyboard(linked)

        # Pasted text without a date counts from the day it was sent.
        api.send_message(BOB, BOB, PASTED, entities=[])
        [pasted] = (await api.wait_for_messages(BOB, before + 2))[before + 1:]
        assert (pasted.plain_text or "").startswith("Draft 2 · ")
        assert "Language: en" in (pasted.plain_text or "")

        chat = api.chat(BOB)
        forwarded = api.new_message(chat, {
            "text": BODY.replace("twelve", "eleven").replace("5.1", "5.2"),
            "forward_origin": {"type": "channel", "date": 1749546000, "message_id": 7,
                               "chat": {"id": -100777, "type": "channel",
                                        "title": "Kazinform"}}},
            sender=api.user(BOB))
        api.push_update("message", forwarded)
        [shown] = (await api.wait_for_messages(BOB, before + 3))[before + 2:]
        assert (shown.plain_text or "").startswith("Draft 3 · ")
        assert "eleven agreements" in (shown.plain_text or "")
        assert [c.state for c in await store.candidates(desk.db)] == ["drafted"] * 3
        # The same link again is the same article: said so, no new draft.
        api.send_message(BOB, BOB, site.url("/news/kz-fr/?utm_source=telegram"), entities=[])
        [same] = (await api.wait_for_messages(BOB, before + 4))[before + 3:]
        assert same.plain_text == "That article is already a draft or was published."

        # Ada is no editor: her long text is answered like any text, with the help.
        seen = len(api.messages(ADA))
        api.send_message(ADA, ADA, PASTED, entities=[])
        [helped] = (await api.wait_for_messages(ADA, seen + 1))[seen:]
        assert "Draft" not in (helped.plain_text or "")
