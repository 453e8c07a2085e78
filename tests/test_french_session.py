"""A French speaker's session in the console, typing no English word."""

from __future__ import annotations

import io

from bot.console import CONSOLE, Console
from bot.core.clock import FixedClock
from bot.core.library import Library
from bot.store.chat_settings import open_chat
from bot.store.db import Database
from tests.conftest import ZONE
from tests.support.asking import session

N = "\u00a0"
NN = "\u202f"  # narrow no-break space: French typography in briefings


async def test_a_french_session_without_an_english_word(
        db: Database, library: Library, clock: FixedClock) -> None:
    chat = await open_chat(db, CONSOLE, clock, type="private", locale="fr", timezone=ZONE)
    console = Console(session(library, clock.now()), chat, io.StringIO())

    async def say(line: str) -> str:
        answer = await console.answer(line)
        assert answer is not None
        return answer

    aide = await say("/aide")
    for shown in ("/resume [complet|sources] [article]", "/commerce [tout|notes|sources|année]",
                  "/evenements [passés|tous|sources]", "/bref ",
                  "/abonner ", "/desabonner", "/reglages", "/fuseau ", "/langue ", "/aide"):
        assert shown in aide, shown
    assert "/trade" not in aide and "/events" not in aide and "/help" not in aide

    assert (await say("/commerce")).startswith("Commerce Kazakhstan–France")
    assert (await say("/evenements passés")).startswith(
        f"Kazakhstan–France{NN}: événements passés")
    assert (await say("/évènements tous")).startswith(
        f"Kazakhstan–France{NN}: tous les événements")
    assert (await say("/resume")).startswith("Astana et Paris")
    assert await say("/evenements juin") == (
        "Aucun événement connu en juin.\n/evenements tous les montre tous par date.")
    novembre = (await say("/evenements novembre")).splitlines()
    assert novembre[0] == f"Événements en novembre{NN}:"
    assert novembre[1].startswith("• Visite d’État de Kassym-Jomart Tokaïev en France · "
                                  "novembre 2024")
    assert len(novembre) == 8  # five events, a blank line, the way to all of them

    abonne = await say("/abonner hebdo vendredi 18h30")
    assert abonne.startswith("Abonnement enregistré.")
    assert f"Point{NN}: hebdomadaire, le vendredi à 18{N}h{N}30" in abonne
    assert "/abonner hebdo vendredi" in abonne and "/fuseau Paris" in abonne
    assert await say("/fuseau Paris") == (
        f"Fuseau horaire{NN}: Europe/Paris (il y est 22{N}h).")
    assert f"Fuseau horaire{NN}: Europe/Paris" in await say("/reglages")
    assert await say("/comerce") == (
        f"Commande inconnue{NN}: /comerce. Vouliez-vous dire /commerce{NN}?")
    assert await say("/langue anglais") == "Language: English."
    assert (await say("/trade")).startswith("Kazakhstan–France trade")
    assert await say("/lang français") == f"Langue{NN}: français."
    assert (await say("/desabonner")).startswith("Désabonnement")


async def test_the_console_greets_and_leaves_in_french(
        db: Database, library: Library, clock: FixedClock) -> None:
    chat = await open_chat(db, CONSOLE, clock, type="private", locale="fr", timezone=ZONE)
    out = io.StringIO()
    console = Console(session(library, clock.now()), chat, out)
    await console.run(io.StringIO("/commerce 2024\n/quitter\n/aide\n"))
    text = out.getvalue()
    assert text.startswith("Console Bilat. Tapez /aide, ou /quitter pour sortir.\n")
    assert "Commerce Kazakhstan–France" in text
    assert "/resume [article]" not in text  # /aide came after /quitter
