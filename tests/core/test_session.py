"""The one request path: parse once, the locale rule, one reply cache, files where carried."""

from __future__ import annotations

from datetime import datetime

from bot.core.chat_settings import MemoryChat
from bot.core.library import Library
from bot.core.network import ChatRef
from bot.core.newsroom import Newsroom
from bot.core.operator import ReloadOutcome, Stats
from bot.core.request import Refused, Request
from bot.core.session import Session
from tests.support.asking import ask, network, session

PNG = b"\x89PNG\r\n\x1a\n"


def _request(prefix: str = "/", **fields: object) -> Request:
    return Request(network(prefix), ChatRef("test", "1"), MemoryChat(), **fields)  # type: ignore[arg-type]


class _Operators:
    """Ada is the one operator; no newsroom runs."""

    newsroom: Newsroom | None = None

    def is_admin(self, sender: str | None) -> bool:
        return sender == "test:ada"

    async def stats(self) -> Stats:
        return Stats({}, 0, 0, 0, {}, 0, 0)

    async def reload(self) -> ReloadOutcome:
        return ReloadOutcome(True, 0)


async def test_one_cache_serves_every_network_with_its_own_prefix(
        library: Library, may7: datetime) -> None:
    core = session(library, may7)
    slash = await core.answer(_request("/"), "/articles")
    bang = await core.answer(_request("!"), "!articles")
    again = await core.answer(_request("!"), "!articles")
    assert slash is not None and bang is not None and again is not None
    assert (slash.name, bang.name) == ("articles", "articles")
    assert "/summary 1" in slash.reply.message.text
    assert "!summary 1" in bang.reply.message.text
    assert again.reply is bang.reply  # the same minute, the same request: from the cache


async def test_operators_commands_and_help_stay_with_operators(
        library: Library, may7: datetime) -> None:
    core = Session(lambda: library, session(library, may7).clock, "en", "Asia/Almaty",
                   _Operators())
    ada = await core.answer(_request(sender="test:ada"), "/help")
    eve = await core.answer(_request(sender="test:eve"), "/help")
    refused = await core.answer(_request(sender="test:eve"), "/stats")
    assert ada is not None and eve is not None and refused is not None
    assert "/stats" in ada.reply.message.text and "/stats" not in eve.reply.message.text
    assert refused.name == "stats"
    assert refused.reply.message.text == "Sorry, this command is for Bilat’s operators only."


async def test_the_locale_rule(library: Library, may7: datetime) -> None:
    core = session(library, may7)
    assert core.locale("en", "fr-CA") == "en"  # the chat's choice first
    assert core.locale(None, "fr-CA") == "fr"  # then the sender's language, negotiated
    assert core.locale(None, "de") == "en"  # then the default
    french = await core.answer(_request(language_code="fr-FR"), "/help")
    assert french is not None
    assert "/commerce [tout|notes|sources|année]" in french.reply.message.text


async def test_not_a_command_or_another_bots(library: Library, may7: datetime) -> None:
    core = session(library, may7)
    assert await core.answer(_request(), "hello") is None
    assert await core.answer(_request(bot_username="BilatBot"), "/trade@OtherBot") is None
    unknown = await core.answer(_request(), "/frobnicate")
    assert unknown is not None and unknown.name == "unknown"
    assert unknown.reply.message.text.startswith("Unknown command /frobnicate.")


async def test_a_settings_command_may_name_a_chat_the_network_finds(
        library: Library, may7: datetime) -> None:
    channel = MemoryChat()

    async def find(word: str) -> MemoryChat | Refused | None:
        if word == "@closed":
            return Refused("Only an administrator of {chat} can manage its subscription.")
        return channel if word == "@news" else None

    core = session(library, may7)
    here = MemoryChat()
    request = Request(network(), ChatRef("test", "1"), here, find_chat=find)
    switched = await core.answer(request, "/lang @news fr")
    refused = await core.answer(request, "/lang @closed fr")
    assert switched is not None and refused is not None
    assert (channel.locale, here.locale) == ("fr", None)
    assert refused.reply.message.text == \
        "Only an administrator of @closed can manage its subscription."


async def test_chart_and_calendar_where_the_network_carries_files(
        library: Library, may7: datetime) -> None:
    chart = await ask(library, may7, "/trade chart", files=True)
    calendar = await ask(library, may7, "/events", files=True)
    text_only = await ask(library, may7, "/trade chart")
    past = await ask(library, may7, "/events past", files=True)
    assert chart is not None and calendar is not None and text_only is not None
    [png] = chart.attachments
    assert png.data.startswith(PNG) and png.mime == "image/png"
    assert png.caption == "Turnover by period, as the sources printed it."
    [ics] = calendar.attachments
    assert ics.filename == "bilat-events-kz-fr.ics" and ics.data.startswith(b"BEGIN:VCALENDAR")
    assert ics.caption and ics.caption.startswith("Upcoming events with a known day")
    assert text_only.attachments == () and text_only.message == chart.message
    assert past is not None and past.attachments == ()
