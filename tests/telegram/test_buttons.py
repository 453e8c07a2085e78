"""Buttons under briefings, pressed through the real PTB stack against the fake Bot API."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.library import Library
from bot.core.session import Session
from bot.telegram.app import TelegramBot
from tests.conftest import DATA
from tests.fakes.botapi import JSON, FakeBotAPI, SentRecord
from tests.support.telegram import ADA, BOB, TIMEOUT, ask, failed_calls


def keyboard(markup: JSON | None) -> list[list[tuple[str, str]]]:
    """(label, callback data) of each button, row by row."""
    rows = (markup or {}).get("inline_keyboard", [])
    return [[(b["text"], b["callback_data"]) for b in row] for row in rows]


def labels(markup: JSON | None) -> list[list[str]]:
    """The buttons' labels, row by row."""
    return [[label for label, _ in row] for row in keyboard(markup)]


def data_of(markup: JSON | None, label: str) -> str:
    """The callback data of the button called ``label``."""
    return next(data for row in keyboard(markup) for text, data in row if text == label)


async def press(api: FakeBotAPI, user: int, chat: int, message_id: int,
                data: str) -> SentRecord:
    """Press a button; return the bot's answerCallbackQuery (edits come before it)."""
    query = api.callback_query(user, chat, message_id, data)
    return await api.wait_for(lambda r: r.method == "answerCallbackQuery"
                              and r.extra["callback_query_id"] == query, timeout=TIMEOUT)


def edits(api: FakeBotAPI) -> list[SentRecord]:
    """Every message the bot edited."""
    return [r for r in api.sent if r.method == "editMessageText"]


async def test_buttons_switch_the_message_in_place(api: FakeBotAPI, bot: TelegramBot) -> None:
    [events, _calendar] = await ask(api, BOB, BOB, "/events", count=2)
    assert labels(events.reply_markup) == [["Past", "All", "Sources"], ["Français"]]
    assert all(len(data.encode()) <= 64 for row in keyboard(events.reply_markup)
               for _, data in row)
    before = len(api.messages(BOB))

    answer = await press(api, BOB, BOB, events.message_id or 0,
                         data_of(events.reply_markup, "All"))
    assert answer.extra["text"] is None  # a plain acknowledgement: the message changed
    shown = api.get_message(BOB, events.message_id or 0)
    assert shown["text"].startswith("Kazakhstan–France: all events\n")
    assert labels(shown["reply_markup"]) == [["Coming", "Past", "Sources"], ["Français"]]

    await press(api, BOB, BOB, events.message_id or 0,
                data_of(shown["reply_markup"], "Français"))
    shown = api.get_message(BOB, events.message_id or 0)
    assert shown["text"].startswith("Kazakhstan–France\u202f: tous les événements\n")
    assert labels(shown["reply_markup"]) == [["À venir", "Passés", "Sources"], ["English"]]

    await press(api, BOB, BOB, events.message_id or 0,
                data_of(shown["reply_markup"], "À venir"))
    shown = api.get_message(BOB, events.message_id or 0)
    assert shown["text"].startswith("Kazakhstan–France: upcoming events\n")  # chat's language
    assert len(api.messages(BOB)) == before  # edited in place: no new message
    assert len(edits(api)) == 3
    assert failed_calls(api) == []


async def test_french_commands_get_french_buttons(api: FakeBotAPI, bot: TelegramBot) -> None:
    [trade] = await ask(api, ADA, ADA, "/commerce")
    assert trade.plain_text is not None and trade.plain_text.startswith("Commerce")
    assert labels(trade.reply_markup) == [["Tous les chiffres", "Remarques", "Sources"],
                                          ["English"]]
    await press(api, ADA, ADA, trade.message_id or 0, data_of(trade.reply_markup, "English"))
    shown = api.get_message(ADA, trade.message_id or 0)
    assert shown["text"].startswith("Kazakhstan–France trade")
    # The notes, one press away: the 2024 sum and the 2022 dollar/euro disagreement.
    await press(api, ADA, ADA, trade.message_id or 0, data_of(shown["reply_markup"], "Notes"))
    notes = api.get_message(ADA, trade.message_id or 0)
    assert "font 5,1\u00a0milliards de dollars" in notes["text"]  # the chat's language
    assert "au taux moyen de 2022" in notes["text"]
    [year] = await ask(api, ADA, ADA, "/commerce 2023")
    assert year.reply_markup is None  # not one of the views: nothing to switch to


async def test_a_button_expires_after_a_restart(api: FakeBotAPI,
                                                start_bot: Callable[..., TelegramBot]) -> None:
    first = start_bot()
    await first.start()
    try:
        [events, _calendar] = await ask(api, BOB, BOB, "/events", count=2)
    finally:
        await first.stop()
    second = start_bot()
    await second.start()
    try:
        answer = await press(api, BOB, BOB, events.message_id or 0,
                             data_of(events.reply_markup, "All"))
    finally:
        await second.stop()
    assert answer.extra["text"] == "This button has expired: send the command again."
    assert edits(api) == []
    # The first run's last long poll outlives it in the fake, which then answers it 409.
    assert [c for c in failed_calls(api) if not c.startswith("getUpdates: 409")] == []


async def test_a_button_expires_after_a_data_reload(
        api: FakeBotAPI, session: Session, library: Library,
        start_bot: Callable[..., TelegramBot]) -> None:
    current = [library]
    running = start_bot(with_session=Session(lambda: current[0], session.clock, "en",
                                             session.zone))
    await running.start()
    try:
        [events, _calendar] = await ask(api, ADA, ADA, "/evenements", count=2)
        current[0] = Library.load(DATA)  # what a reload puts in service
        answer = await press(api, ADA, ADA, events.message_id or 0,
                             data_of(events.reply_markup, "Tous"))
        [fresh, _calendar] = await ask(api, ADA, ADA, "/evenements", count=2)
        await press(api, ADA, ADA, fresh.message_id or 0, data_of(fresh.reply_markup, "Tous"))
    finally:
        await running.stop()
    assert answer.extra["text"] == "Ce bouton a expiré\u202f: renvoyez la commande."
    assert [e.message_id for e in edits(api)] == [fresh.message_id]
    # Stopping leaves the last long poll open in the fake, which then answers it 409.
    assert [c for c in failed_calls(api) if not c.startswith("getUpdates: 409")] == []


async def test_a_forged_button_gets_a_short_answer(api: FakeBotAPI, bot: TelegramBot) -> None:
    [events, _calendar] = await ask(api, BOB, BOB, "/events", count=2)
    for data in ("garbage", "x|zz|events all", "|||"):
        answer = await press(api, BOB, BOB, events.message_id or 0, data)
        assert answer.extra["text"] == "This button has expired: send the command again."
    assert edits(api) == []
    assert failed_calls(api) == []


async def test_buttons_of_an_answer_on_a_named_pair_keep_that_pair(
        api: FakeBotAPI, bot: TelegramBot) -> None:
    [trade] = await ask(api, BOB, BOB, "/trade Allemagne")
    assert trade.plain_text is not None
    assert trade.plain_text.startswith("Kazakhstan–Germany trade, 2023")
    assert labels(trade.reply_markup) == [["All figures", "Notes", "Sources"], ["Français"]]
    assert data_of(trade.reply_markup, "All figures").endswith("|trade all KZ-DE")
    await press(api, BOB, BOB, trade.message_id or 0, data_of(trade.reply_markup, "Sources"))
    shown = api.get_message(BOB, trade.message_id or 0)
    assert "Germany" in shown["text"] and "Kazakhstan–France" not in shown["text"]
    await press(api, BOB, BOB, trade.message_id or 0, data_of(shown["reply_markup"], "Français"))
    shown = api.get_message(BOB, trade.message_id or 0)
    assert shown["text"].startswith("Kazakhstan–Allemagne\u202f: sources\n")

    [events, *_] = await ask(api, ADA, ADA, "/evenements passés Ouzbékistan", count=1)
    assert events.plain_text is not None and events.plain_text.startswith(
        "Ouzbékistan–France\u202f: événements passés")
    assert labels(events.reply_markup) == [["À venir", "Tous", "Sources"], ["English"]]
    assert data_of(events.reply_markup, "Tous").endswith("|events all UZ-FR")
    await press(api, ADA, ADA, events.message_id or 0, data_of(events.reply_markup, "English"))
    shown = api.get_message(ADA, events.message_id or 0)
    assert shown["text"].startswith("Uzbekistan–France: past events")
    assert failed_calls(api) == []
