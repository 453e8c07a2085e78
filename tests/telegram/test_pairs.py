"""Several relationships in one bot, as a Telegram user meets them: /pairs, /follow, pair
arguments, and one digest covering every followed pair, sent through the real delivery path
(scheduler -> outbox -> sender -> PTB -> the fake Bot API)."""

from __future__ import annotations

from datetime import datetime

from bot.core.clock import FixedClock, parse_instant
from bot.core.library import Library
from bot.delivery.scheduler import Scheduler
from bot.delivery.sender import Sender
from bot.store.db import Database
from bot.telegram.app import TelegramBot
from tests.conftest import ZONE
from tests.fakes.botapi import FakeBotAPI
from tests.support.telegram import ADA, BOB, INTRODUCTION, INTRODUCTION_FR, ask, failed_calls
from tests.telegram.test_inline import inline

N = "\u00a0"
NN = "\u202f"  # French: a narrow no-break space before : ; ! ? and inside « »
DIGEST_TIME = parse_instant("2025-03-12T08:00:00+05:00", ZONE)  # the day after subscribing


async def text_of(api: FakeBotAPI, chat: int, line: str) -> str:
    """The plain text of the bot's one answer to ``line``."""
    [reply] = await ask(api, chat, chat, line)
    assert reply.plain_text is not None
    return reply.plain_text


async def deliver(db: Database, bot: TelegramBot, library: Library, clock: FixedClock,
                  at: datetime) -> int:
    """Let the clock reach ``at``, plan what fell due and send it; the messages sent."""
    clock.set(at)
    await Scheduler(db, lambda: library, clock).tick()
    return await Sender(db, bot.transport, clock).drain()


async def test_a_chat_follows_two_pairs_and_gets_one_digest_in_english(
        api: FakeBotAPI, bot: TelegramBot, clock: FixedClock, library: Library,
        db: Database) -> None:
    clock.set(parse_instant("2025-03-11T09:00:00+05:00", ZONE))
    covered = await text_of(api, BOB, "/pairs")
    assert covered.startswith("Relationships Bilat covers\n\n"
                              "• Kazakhstan–France · KZ-FR · shown here by default\n")
    assert "• Kazakhstan–Germany · KZ-DE\n  4 articles · newest: Astana business forum" in covered
    assert covered.endswith(INTRODUCTION)  # this chat's first answer
    assert (await text_of(api, BOB, "/trade Allemagne")).startswith(
        f"Kazakhstan–Germany trade, 2023\nBilateral trade: $3.9{N}billion, up 41% on 2022.")

    assert await text_of(api, BOB, "/follow Kazakhstan-Germany") == \
        "This chat now follows Kazakhstan–Germany."
    trade = await text_of(api, BOB, "/trade")
    assert trade.startswith("Kazakhstan–Germany trade, 2023\n") and "France" not in trade
    # +41 % is within what "2.8" and "3.9" as printed allow (+35.1 % to +43.6 %): no note.
    assert "⚠" not in trade and "up 41% on 2022" in trade
    events = await text_of(api, BOB, "/events")
    assert events.startswith("Kazakhstan–Germany: upcoming events\n")
    assert "Kazakh-German business forum in Astana" in events
    assert (await text_of(api, BOB, "/summary")).startswith(
        "Astana business forum: 36 documents worth 6.3 billion dollars\n")

    assert (await text_of(api, BOB, "/subscribe daily 08:00")).startswith("Subscribed.")
    assert await text_of(api, BOB, "/follow franco-ouzbek") == \
        "This chat now follows Kazakhstan–Germany and Uzbekistan–France."
    assert await text_of(api, BOB, "/follow UZ-FR") == \
        "This chat already follows Uzbekistan–France."
    assert "Pairs: Kazakhstan–Germany and Uzbekistan–France" in \
        await text_of(api, BOB, "/settings")

    before = len(api.messages(BOB))
    assert await deliver(db, bot, library, clock, DIGEST_TIME) == 1
    [digest] = api.messages(BOB)[before:]
    text = digest.plain_text or ""
    assert text.startswith("Bilat daily digest\n")
    germany, uzbekistan = text.index("\nKazakhstan–Germany\n"), text.index(
        "\nUzbekistan–France\n")
    assert germany < uzbekistan and "Kazakhstan–France" not in text
    # The Élysée article came out since the subscription: news under its own pair only.
    assert "At the Élysée, Mirziyoyev and Macron hail trade above one billion euros" in \
        text[uzbekistan:]
    assert f"Bilateral trade, 2024: more than €1{N}billion" in \
        text[uzbekistan:]
    assert "No new article." in text[germany:uzbekistan]
    assert failed_calls(api) == []


async def test_a_chat_follows_two_pairs_and_gets_one_digest_in_french(
        api: FakeBotAPI, bot: TelegramBot, clock: FixedClock, library: Library,
        db: Database) -> None:
    clock.set(parse_instant("2025-03-11T09:00:00+05:00", ZONE))
    assert await text_of(api, ADA, "/follow Allemagne") == \
        "Cette conversation suit désormais Kazakhstan–Allemagne." + INTRODUCTION_FR.replace(
            "voit Kazakhstan–France", "voit Kazakhstan–Allemagne")  # the first answer here
    assert (await text_of(api, ADA, "/trade")).startswith("Commerce Kazakhstan–Allemagne, 2023\n")
    assert (await text_of(api, ADA, "/events")).startswith(
        "Kazakhstan–Allemagne\u202f: événements à venir\n")
    assert (await text_of(api, ADA, "/summary")).startswith(
        "Forum d’affaires d’Astana\u202f: 36 documents pour 6,3 milliards de dollars\n")
    assert (await text_of(api, ADA, "/events Ouzbékistan past")).startswith(
        "Ouzbékistan–France\u202f: événements passés\n")
    assert (await text_of(api, ADA, "/subscribe quotidien 08:00")).startswith(
        "Abonnement enregistré.")
    assert await text_of(api, ADA, "/follow de l’Ouzbékistan") == \
        "Cette conversation suit désormais Kazakhstan–Allemagne et Ouzbékistan–France."

    before = len(api.messages(ADA))
    assert await deliver(db, bot, library, clock, DIGEST_TIME) == 1
    [digest] = api.messages(ADA)[before:]
    text = digest.plain_text or ""
    assert text.startswith("Le point quotidien de Bilat\n")
    assert text.index("\nKazakhstan–Allemagne\n") < text.index("\nOuzbékistan–France\n")
    assert "À l’Élysée, Mirzioïev et Macron saluent des échanges" in text

    assert await text_of(api, ADA, "/unfollow Allemagne") == \
        f"Cette conversation ne suit plus Kazakhstan–Allemagne{NN}; elle suit Ouzbékistan–France."
    assert await text_of(api, ADA, "/unfollow UZ-FR") == (
        f"Cette conversation ne suit plus Ouzbékistan–France{NN}; elle revoit les couples par "
        f"défaut{NN}: Kazakhstan–France.")
    assert failed_calls(api) == []


async def test_pair_arguments_answer_what_is_wrong(api: FakeBotAPI, bot: TelegramBot) -> None:
    assert await text_of(api, BOB, "/trade Japan") == (
        "Bilat does not cover Japan. Pairs covered: Kazakhstan–France (KZ-FR), "
        "Uzbekistan–France (UZ-FR), and Kazakhstan–Germany (KZ-DE)." + INTRODUCTION)
    assert await text_of(api, BOB, "/follow France") == (
        "“France” is in several pairs Bilat covers: Kazakhstan–France and Uzbekistan–France. "
        "Say which, e.g. KZ-FR.\nUsage: /follow pair")
    assert await text_of(api, BOB, "/unfollow DE") == \
        "This chat does not follow Kazakhstan–Germany."
    assert (await text_of(api, ADA, "/trade Allemagne")).startswith(
        "Commerce Kazakhstan–Allemagne")  # never "« Allemagne » n'est pas une année"
    assert (await text_of(api, ADA, "/trade xyz")).startswith(
        f"«{NN}xyz{NN}» n’est ni une année, ni tout, ni notes, ni sources.\nUsage{NN}: "
        "/commerce [tout|notes|sources|année] [couple]")


async def test_inline_queries_cover_the_pairs_followed_in_private(
        api: FakeBotAPI, bot: TelegramBot) -> None:
    await text_of(api, BOB, "/follow DE")
    await text_of(api, BOB, "/follow Ouzbékistan")
    results, _ = await inline(api, BOB, "")
    titles = [r["title"] for r in results]
    assert titles[:3] == ["Trade figures · Kazakhstan–Germany",
                          "Trade figures · Uzbekistan–France",
                          "Upcoming events · Kazakhstan–Germany, Uzbekistan–France"]
    assert len(results) == 3 + 8  # and the eight articles of the two pairs
    found, _ = await inline(api, BOB, "Scholz")
    # Found through the full article; the short summaries name him in some of them.
    assert found and any("Scholz" in str(r) for r in found)
    only, _ = await inline(api, BOB, "trade Allemagne")
    assert [r["title"] for r in only] == ["Trade figures · Kazakhstan–Germany"]
    others, _ = await inline(api, ADA, "")  # Ada never chose: the default pair
    assert others[0]["title"] == "Chiffres du commerce · Kazakhstan–France"


async def test_a_chart_for_each_followed_pair(api: FakeBotAPI, bot: TelegramBot) -> None:
    await text_of(api, BOB, "/follow DE")
    await text_of(api, BOB, "/follow UZ-FR")
    text, germany, uzbekistan = await ask(api, BOB, BOB, "/trade chart", count=3)
    assert (text.plain_text or "").startswith("Kazakhstan–Germany trade, 2023\n")
    assert germany.method == uzbekistan.method == "sendPhoto"
    assert germany.files[0].data != uzbekistan.files[0].data
    _, only = await ask(api, BOB, BOB, "/trade chart Allemagne", count=2)
    assert only.method == "sendPhoto" and only.files[0].data == germany.files[0].data
