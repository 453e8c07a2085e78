"""Subscription commands through the shared command table, as a user reads the replies."""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import FixedClock
from bot.core.library import Library
from bot.core.network import ChatRef
from bot.store import chats, subscriptions
from bot.store.chat_settings import StoredChat, anyone, open_chat
from bot.store.db import Database
from tests.support.asking import ask

N = "\u00a0"
NN = "\u202f"  # French typography: narrow no-break space before : ; ! ?
REF = ChatRef("test", "-100", None)


async def nobody() -> bool:
    """A group member who is not an administrator."""
    return False


async def stored(db: Database, clock: FixedClock, locale: str = "en",
                 admin: bool = True) -> StoredChat:
    """The test group, as an adapter would open it for one request, past its first answer
    (which lists the pairs: tests/core/test_pairs.py)."""
    chat = await open_chat(db, REF, clock, type="group", locale=locale, timezone="Asia/Almaty",
                           title="Test group", can_manage=nobody if not admin else anyone)
    await chat.introduce()
    return chat


async def say(chat: StoredChat, library: Library, line: str, prefix: str = "/") -> str:
    """The plain text of the reply to ``line``."""
    reply = await ask(library, chat.clock.now(), line, prefix=prefix, chat=chat)
    assert reply is not None
    return reply.message.text


async def test_subscribe_with_defaults_in_english(db: Database, clock: FixedClock,
                                                  library: Library) -> None:
    chat = await stored(db, clock)
    text = await say(chat, library, "/subscribe")
    assert text == (
        "Subscribed.\n\n"
        "Settings of this chat\n"
        "Language: English\n"
        "Time zone: Asia/Almaty (now 01:00)\n"
        "Pairs: Kazakhstan–France\n"
        "Digest: daily at 08:00\n"
        "  sent only when something changed\n"
        "Alerts: 7 days before, 1 day before, and the morning of the event\n\n"
        "Change: /subscribe weekly friday 18:00 · /timezone Paris · /lang fr · "
        "/unsubscribe")
    sub = await subscriptions.get(db, chat.chat.id)
    assert sub is not None and sub.active and sub.planned_until == clock.now()


async def test_subscribe_weekly_in_french(db: Database, clock: FixedClock,
                                          library: Library) -> None:
    chat = await stored(db, clock, "fr")
    text = await say(chat, library, "/subscribe hebdo vendredi 18h30 alertes non toujours")
    assert text.startswith("Abonnement enregistré.\n\nRéglages de cette conversation\n")
    assert f"Point{NN}: hebdomadaire, le vendredi à 18{N}h{N}30\n" in text
    assert "  envoyé même quand rien n’a changé\n" in text
    assert f"Alertes{NN}: désactivées\n" in text
    assert f"Fuseau horaire{NN}: Asia/Almaty (il est 1{N}h)\n" in text
    text = await say(chat, library, "/subscribe daily 7:05 alerts on changes")
    assert text.startswith("Abonnement modifié.")
    assert f"Point{NN}: quotidien, à 7{N}h{N}05\n" in text
    assert f"Alertes{NN}: 7 jours avant, 1 jour avant et le matin de l’événement\n" in text


async def test_bad_arguments_are_explained_in_both_languages(
        db: Database, clock: FixedClock, library: Library) -> None:
    en = await stored(db, clock, "en")
    assert await say(en, library, "/subscribe at 25:00") == (
        "“25:00” is not a time of day: use HH:MM, from 00:00 to 23:59.\n"
        "Usage: /subscribe [daily|weekly [weekday]] [HH:MM] [alerts on|off] [always|changes] "
        "[silent|loud] [sectors a, b]")
    assert await say(en, library, "/subscribe daily monday") == (
        "A daily digest has no weekday: say weekly and the day.\n"
        "Usage: /subscribe [daily|weekly [weekday]] [HH:MM] [alerts on|off] [always|changes] "
        "[silent|loud] [sectors a, b]")
    assert (await say(en, library, "/subscribe alerts maybe")).startswith(
        "After “alerts”, say on or off.\n")
    assert (await say(en, library, "/subscribe soon")).startswith(
        "“soon” is not understood here.\n")
    assert (await say(en, library, "/subscribe KZ-XX")).startswith(
        "“KZ-XX” is not a country or a pair Bilat knows. Pairs covered: Kazakhstan–France "
        "(KZ-FR), ")
    assert await subscriptions.get(db, en.chat.id) is None  # nothing was changed

    await chats.set_locale(db, en.chat.id, "fr", clock.now())
    fr = await stored(db, clock)
    assert await say(fr, library, "/subscribe à 25:00") == (
        f"«{NN}25:00{NN}» n’est pas une heure{NN}: écrivez HH:MM, de 00:00 à 23:59.\n"
        f"Usage{NN}: /abonner [quotidien|hebdo [jour]] [HH:MM] [alertes oui|non] "
        "[toujours|changements] [silencieux|sonore] [secteurs a, b]")
    assert await say(fr, library, "/fuseau Mars/Olympus") == (
        f"«{NN}Mars/Olympus{NN}» n’est pas un fuseau horaire connu de Bilat{NN}: donnez une "
        "ville (Paris), un pays (France), un décalage (UTC+5) ou un fuseau IANA "
        f"(Europe/Paris).\nUsage{NN}: /fuseau [ville, pays, UTC+5 ou fuseau IANA]")


async def test_timezone_is_stored_and_shown(db: Database, clock: FixedClock,
                                            library: Library) -> None:
    chat = await stored(db, clock)
    assert await say(chat, library, "/timezone") == (
        "Time zone: Asia/Almaty (it is 01:00 there).\n"
        "Change it with /timezone followed by a city, a country or an offset, e.g. "
        "/timezone Paris, or an IANA name.")
    assert await say(chat, library, "/timezone europe/paris") == (
        "Time zone: Europe/Paris (it is 22:00 there).")
    assert await say(chat, library, "/timezone Nowhere/Land") == (
        "“Nowhere/Land” is not a time zone Bilat knows: name a city (Paris), a country "
        "(France), an offset (UTC+5) or an IANA zone (Europe/Paris).\n"
        "Usage: /timezone [city, country, UTC+5 or IANA zone]")
    again = await stored(db, clock)
    assert again.timezone == "Europe/Paris"
    assert "Time zone: Europe/Paris (now 22:00)" in await say(again, library, "/settings")


async def test_lang_persists_across_a_restart(db_path: Path, clock: FixedClock,
                                              library: Library) -> None:
    async with await Database.open(db_path) as db:
        chat = await stored(db, clock)
        assert await say(chat, library, "/lang fr") == f"Langue{NN}: français."
    async with await Database.open(db_path) as db:
        chat = await stored(db, clock, locale="en")  # the network's hint no longer matters
        assert chat.locale == "fr"
        assert (await say(chat, library, "/settings")).startswith(
            f"Réglages de cette conversation\nLangue{NN}: français\n")


async def test_non_admins_are_refused_and_told_why(db: Database, clock: FixedClock,
                                                   library: Library) -> None:
    member = await stored(db, clock, admin=False)
    refusal = "Only this chat’s administrators can change its settings."
    for line in ("/subscribe", "/unsubscribe", "/timezone Europe/Paris", "/lang fr"):
        assert await say(member, library, line) == refusal
    assert "Subscription: none" in await say(member, library, "/settings")
    assert (await stored(db, clock)).locale == "en"


async def test_unsubscribe_and_subscribe_again(db: Database, clock: FixedClock,
                                               library: Library) -> None:
    chat = await stored(db, clock)
    assert await say(chat, library, "!unsubscribe", prefix="!") == (
        "This chat has no subscription. !subscribe starts one.")
    await say(chat, library, "/subscribe weekly")
    assert await say(chat, library, "/unsubscribe") == (
        "Unsubscribed: no more digests or alerts in this chat. /subscribe starts them again.")
    settings = await say(chat, library, "/settings")
    assert "Digest: weekly, on Monday at 08:00\n" in settings
    assert "Status: unsubscribed\n" in settings
    assert (await say(chat, library, "/subscribe")).startswith("Subscribed again.\n")


async def test_without_stored_settings_the_commands_say_so(library: Library,
                                                           clock: FixedClock) -> None:
    reply = await ask(library, clock.now(), "/subscribe")
    assert reply is not None
    assert reply.message.text == "Subscriptions are not available here."


async def test_timezone_by_city_country_or_offset(db: Database, clock: FixedClock,
                                                  library: Library) -> None:
    chat = await stored(db, clock)
    for wanted, zone in [("Almaty", "Asia/Almaty"), ("Paris", "Europe/Paris"),
                         ("Astana", "Asia/Almaty"), ("Nur-Sultan", "Asia/Almaty"),
                         ("France", "Europe/Paris"), ("Kazakhstan", "Asia/Almaty"),
                         ("Allemagne", "Europe/Berlin"), ("New York", "America/New_York"),
                         ("UTC+5", "Etc/GMT-5"), ("+05:00", "Etc/GMT-5"),
                         ("UTC-3", "Etc/GMT+3"), ("UTC", "UTC")]:
        shown = {"Etc/GMT-5": "UTC+5", "Etc/GMT+3": "UTC-3"}.get(zone, zone)
        assert (await say(chat, library, f"/timezone {wanted}")).startswith(
            f"Time zone: {shown} ("), wanted
        assert (await stored(db, clock)).timezone == zone


async def test_an_ambiguous_zone_is_refused_with_the_choices(
        db: Database, clock: FixedClock, library: Library) -> None:
    chat = await stored(db, clock, "fr")
    text = await say(chat, library, "/fuseau États-Unis")
    lines = text.splitlines()
    assert lines[0] == (f"«{NN}États-Unis{NN}» a plusieurs fuseaux horaires{NN}; "
                        f"choisissez-en un{NN}:")
    assert "/fuseau America/New_York · Eastern (most areas)" in lines
    assert "/fuseau America/Los_Angeles · Pacific" in lines
    assert len(lines) == 9  # one line per clock, at most eight
    assert (await say(chat, library, "/fuseau Springfield")).count("/fuseau America/") == 3
    assert (await stored(db, clock)).timezone == "Asia/Almaty"  # nothing was changed


async def test_times_of_day_as_people_write_them(db: Database, clock: FixedClock,
                                                 library: Library) -> None:
    chat = await stored(db, clock)
    # Shown in British English's 24-hour clock, whichever way they were typed.
    for words, shown in [("18h30", "18:30"), ("18 h 30", "18:30"),
                         ("18 h", "18:00"), ("6:30pm", "18:30"),
                         ("6:30 pm", "18:30"), ("7am", "07:00"),
                         ("18:30", "18:30"), ("12am", "00:00")]:
        text = await say(chat, library, f"/subscribe daily {words}")
        assert f"Digest: daily at {shown}\n" in text, words
    assert (await say(chat, library, "/subscribe 13pm")).startswith(
        "“13pm” is not a time of day")
