"""What a draft holds for sentences written the ways news agencies write them (our own
sentences, in the three languages): figures, what is left out, events, people, places."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bot.core.library import Library
from bot.draft.article import draft, known
from bot.draft.extract import Facts, Known
from bot.draft.source import Page
from tests.conftest import DATA

KNOWN: Known = known(Library.load(DATA))
DAY = date(2024, 9, 20)


def _facts(lang: str, text: str, day: date = DAY) -> Facts:
    return draft(Page(text, language=lang), KNOWN, published=day, publisher="Wire").facts


def _figures(facts: Facts) -> list[tuple[Any, ...]]:
    return [(t["period"], t["flow"], t["reporter"], t["partner"], str(t["value"]), t["unit"],
             t["currency"], t["qualifier"], t.get("growth")) for t in facts.trade]


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("en", "Trade between Uzbekistan and France grew by 12% compared to 2023 and reached "
           "$3.8 billion in 2024. In the first quarter of 2024, trade between the two "
           "countries reached USD 140 million.",
     [("2024", "turnover", "UZ", "FR", "3.8", "billion", "USD", "exact",
       {"percent": Decimal(12), "base": "previous_year"}),
      ("2024-01/2024-03", "turnover", "UZ", "FR", "140", "million", "USD", "exact", None)]),
    ("en", "In 2023, German exports to Kazakhstan reached nearly €2.1 billion, while imports "
           "from Kazakhstan amounted to more than €1.4bn.",
     [("2023", "exports", "DE", "KZ", "2.1", "billion", "EUR", "nearly", None),
      ("2023", "imports", "DE", "KZ", "1.4", "billion", "EUR", "more_than", None)]),
    ("fr", "Au premier trimestre 2024, les échanges entre la France et l'Ouzbékistan ont "
           "atteint 300 millions d'euros, en hausse de 4,5 % sur un an.",
     [("2024-01/2024-03", "turnover", "UZ", "FR", "300", "million", "EUR", "exact",
       {"percent": Decimal("4.5"), "base": "same_period_previous_year"})]),
    ("ru", "Товарооборот между Казахстаном и Германией в 2023 году составил 3,8 млрд "
           "долларов США, увеличившись на 15,3% по сравнению с 2022 годом.",
     [("2023", "turnover", "KZ", "DE", "3.8", "billion", "USD", "exact",
       {"percent": Decimal("15.3"), "base": "previous_year"})]),
    ("ru", "По итогам 2022 года товарооборот Казахстана и Франции вырос до около $4 млрд, а "
           "экспорт из Франции в Казахстан составил почти 900 млн долларов.",
     [("2022", "turnover", "KZ", "FR", "4", "billion", "USD", "approximately", None),
      ("2022", "exports", "FR", "KZ", "900", "million", "USD", "nearly", None)]),
])
def test_trade_figures_as_printed(lang: str, text: str,
                                  expected: list[tuple[Any, ...]]) -> None:
    assert _figures(_facts(lang, text)) == expected


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "Over the past decade, trade between Kazakhstan and France ranged from $2.5 billion "
           "to $6.5 billion a year."),
    ("en", "Kazakhstan's foreign trade turnover reached $139 billion in 2023, France said."),
    ("en", "Kazakhstan and France signed a roadmap. In 2023, Kazakhstan's trade with China "
           "reached $41 billion."),
    ("en", "Trade between Kazakhstan and France reached $4 billion, officials said."),
    ("fr", "Le commerce entre la France et le Kazakhstan (4 milliards d'euros en 2022) a "
           "augmenté."),
    ("ru", "Товарооборот Казахстана и Франции в 2030 году достигнет $10 млрд."),
    ("en", "Trade between Kazakhstan and France should reach $10 billion by 2025, the "
           "ministers agreed in 2024."),
    ("en", "In 2023, France's trade with Central Asia reached $6 billion, Kazakhstan said."),
    ("fr", "En 2024, la France et le Kazakhstan ont signé des accords d'une valeur de "
           "2 milliards d'euros dans le commerce."),
    ("ru", "В 2023 году товарооборот Казахстана с ЕС составил $40 млрд, Германии — нет."),
])
def test_what_cannot_be_pinned_down_is_left_out(lang: str, text: str) -> None:
    """Ranges, a whole country's trade, other partners, no period, brackets, the future."""
    assert _figures(_facts(lang, text)) == []


def test_events_people_and_places() -> None:
    facts = _facts("en", "Uzbek President Shavkat Mirziyoyev met French Foreign Minister "
                         "Stéphane Séjourné in Tashkent on March 12. The intergovernmental "
                         "commission of Uzbekistan and France will meet in Paris in the near "
                         "future.")
    assert [(p["name"], p.get("country"), p["role"]["en"]) for p in facts.people] == [
        ("Shavkat Mirziyoyev", "UZ", "President"),
        ("Stéphane Séjourné", "FR", "Foreign Minister")]
    assert [(e["kind"], e["date"], e["status"], e["participants"],
             e.get("place", {}).get("timezone"), e["title"]["en"]) for e in facts.events] == [
        ("meeting", {"precision": "day", "value": "2024-03-12"}, "held",
         ["mirziyoyev", "sejourne"], "Asia/Tashkent", "Meeting, Tashkent"),
        ("commission", {"precision": "unknown"}, "planned", [], "Europe/Paris",
         "Intergovernmental commission, Paris")]


def test_a_past_day_without_a_year_is_last_years() -> None:
    facts = _facts("fr", "Le président ouzbek Shavkat Mirziyoïev s'est rendu en France le "
                         "15 novembre, à l'invitation du président Emmanuel Macron.")
    (event,) = facts.events
    assert (event["date"], event["status"]) == (
        {"precision": "day", "value": "2023-11-15"}, "held")
    # a person the data knows keeps the data's id
    assert [p["id"] for p in facts.people] == ["mirziyoiev", "macron"]


def test_russian_names_are_spelled_as_printed_and_roles_labelled() -> None:
    facts = _facts("ru", "Президент Казахстана Касым-Жомарт Токаев провел переговоры с "
                         "Федеральным канцлером Германии Олафом Шольцем 17 сентября в Астане.")
    assert [(p["name"], p.get("country"), p["role"]) for p in facts.people] == [
        ("Касым-Жомарт Токаев", "KZ", {"fr": "Président", "en": "President"}),
        ("Олафом Шольцем", "DE", {"fr": "Chancelier fédéral", "en": "Federal Chancellor"})]
    (event,) = facts.events
    assert (event["kind"], event["date"]["value"], event["status"]) == (
        "talks", "2024-09-17", "held")


@pytest.mark.parametrize(("lang", "text", "date_field", "status"), [
    ("en", "The Kazakhstan-France business forum will be held on 12-14 November in Almaty.",
     {"precision": "days", "start": "2024-11-12", "end": "2024-11-14"}, "planned"),
    ("fr", "Le forum d'affaires franco-ouzbek se tiendra du 3 au 4 octobre 2024 à Tachkent.",
     {"precision": "days", "start": "2024-10-03", "end": "2024-10-04"}, "planned"),
    ("ru", "Заседание межправительственной комиссии Казахстана и Германии пройдет до 15 "
           "декабря в Берлине.",
     {"precision": "before", "value": "2024-12-15", "after": "2024-09-20"}, "planned"),
    ("en", "Kazakhstan and Germany established diplomatic relations in February 1992.",
     {"precision": "month", "value": "1992-02"}, "held"),
    # 20 September 2024 is a Friday: last Tuesday, next Monday
    ("fr", "Mardi, le ministre ouzbek et son homologue français Jean-Noël Barrot ont tenu "
           "des consultations à Paris.", {"precision": "day", "value": "2024-09-17"}, "held"),
    ("ru", "В понедельник в Берлине пройдет заседание межправительственной комиссии "
           "Казахстана и Германии.", {"precision": "day", "value": "2024-09-23"}, "planned"),
])
def test_events_keep_the_precision_the_text_gives(lang: str, text: str,
                                                  date_field: dict[str, Any],
                                                  status: str) -> None:
    (event,) = _facts(lang, text).events
    assert (event["date"], event["status"]) == (date_field, status)
    assert event["evidence"] == text


def test_a_role_written_after_the_name() -> None:
    facts = _facts("en", "Bakhtiyor Saidov, Minister of Foreign Affairs of Uzbekistan, met "
                         "Jean-Noël Barrot, the French Foreign Minister, in Paris.")
    assert [(p["name"], p.get("country"), p["role"]["en"]) for p in facts.people] == [
        ("Bakhtiyor Saidov", "UZ", "Minister of Foreign Affairs of Uzbekistan"),
        ("Jean-Noël Barrot", "FR", "French Foreign Minister")]


def _events(facts: Facts) -> list[tuple[str, Any, list[str]]]:
    return [(e["kind"], e["date"], e.get("participants", [])) for e in facts.events]


@pytest.mark.parametrize(("lang", "text", "expected"), [
    # the talks and the welcome ceremony of a meeting, on its day: one meeting
    ("fr", "Astana, 12 septembre 2024 – Le Président ouzbek Shavkat Mirziyoyev a rencontré le "
           "Président du Kazakhstan Kassym-Jomart Tokayev le 12 septembre. Les entretiens ont "
           "été précédés "
           "d'une cérémonie de bienvenue.",
     [("meeting", {"precision": "day", "value": "2024-09-12"}, ["mirziyoyev", "tokayev"])]),
    # "during the meeting", "also attended the meeting": the meeting dated before
    ("en", "Uzbek President Shavkat Mirziyoyev met with President Kassym-Jomart Tokayev of "
           "Kazakhstan on September 12. During the meeting, Mirziyoyev praised the trade "
           "between Uzbekistan and Kazakhstan. Ministers of both countries also attended the "
           "meeting.",
     [("meeting", {"precision": "day", "value": "2024-09-12"}, ["mirziyoyev", "tokayev"])]),
])
def test_one_event_is_drafted_once(lang: str, text: str, expected: list[Any]) -> None:
    facts = _facts(lang, text)
    assert [(k, d, sorted(w)) for k, d, w in _events(facts)] == \
        [(k, d, sorted(w)) for k, d, w in expected]


def test_a_welcome_at_the_airport_is_the_arrival() -> None:
    facts = _facts("ru", "Президент Узбекистана Шавкат Мирзиёев прибыл с официальным визитом "
                         "в Казахстан. В аэропорту его встретил Премьер-Министр Казахстана "
                         "Олжас Бектенов.")
    assert [e["kind"] for e in facts.events] == ["official_visit"]


def test_an_undated_plan_after_a_held_event_is_kept() -> None:
    facts = _facts("en", "President Kassym-Jomart Tokayev met with Italian Prime Minister "
                         "Giorgia Meloni in Rome on September 18. Tokayev and Meloni will "
                         "hold another meeting in the near future, Italy and Kazakhstan said.")
    assert [(e["kind"], e["date"]["precision"], e["status"]) for e in facts.events] == [
        ("meeting", "day", "held"), ("meeting", "unknown", "planned")]


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("fr", "Le ministre ouzbek sera accompagné en France d'une quinzaine de chefs d'entreprise "
           "et signera trois accords.",
     [("business_leaders", "15", "approximately"), ("agreements", "3", "exact")]),
    ("en", "A dozen business leaders from Germany travel with the Uzbek minister, and more "
           "than 40 companies from Uzbekistan will take part.",
     [("business_leaders", "12", "approximately"), ("companies", "40", "more_than")]),
    ("ru", "Около десятка предпринимателей из Германии прибыли в Узбекистан.",
     [("business_leaders", "10", "approximately")]),
])
def test_counts_written_in_words(lang: str, text: str, expected: list[Any]) -> None:
    facts = _facts(lang, text)
    assert [(_code(c), str(c["value"]), c["qualifier"])
            for c in facts.counts] == expected


def _code(count: dict[str, Any]) -> str:
    return str(count["id"]).rstrip("-0123456789").replace("-", "_")


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("en", "Uzbek President Shavkat Mirziyoyev met Kazakh President Kassym-Jomart Tokayev. "
           "\"Our countries will double their trade within five years,\" Mirziyoyev said.",
     [("mirziyoyev", "Our countries will double their trade within five years,")]),
    ("fr", "Le président Emmanuel Macron a reçu le président ouzbek Shavkat Mirziyoyev. "
           "Emmanuel Macron a déclaré : « La France et l'Ouzbékistan ouvrent un chapitre "
           "nouveau de leur relation ».",
     [("macron", "La France et l'Ouzbékistan ouvrent un chapitre nouveau de leur relation")]),
    ("ru", "Президент Казахстана Касым-Жомарт Токаев встретился с канцлером Германии Олафом "
           "Шольцем. „Германия остаётся важнейшим партнёром Казахстана в Европе“, — "
           "подчеркнул Токаев.",
     [("tokayev", "Германия остаётся важнейшим партнёром Казахстана в Европе")]),
    # no named speaker ("he said"), or a name in quotation marks: nothing
    ("en", "Kazakh President Kassym-Jomart Tokayev met French President Emmanuel Macron. "
           "\"France is a reliable partner of our country in Europe,\" he said. Macron will "
           "attend the \"Central Asia + France\" summit.", []),
])
def test_quotations_verbatim_with_a_named_speaker(lang: str, text: str,
                                                  expected: list[tuple[str, str]]) -> None:
    facts = _facts(lang, text)
    assert [(q["speaker"], q["text"]) for q in facts.quotes] == expected
    assert all(q["unreviewed"] is True and q["language"] == lang for q in facts.quotes)


@pytest.mark.parametrize(("lang", "text", "worth"), [
    ("en", "Kazakhstan and Germany signed 36 documents worth $6.3 billion at a business forum.",
     ("6.3", "billion", "USD", "exact")),
    ("fr", "Le Kazakhstan et la France ont signé 24 accords d'un montant total de 2,5 milliards "
           "d'euros.", ("2.5", "billion", "EUR", "exact")),
    ("ru", "Казахстан и Германия подписали 12 соглашений на сумму более $1,2 млрд.",
     ("1.2", "billion", "USD", "more_than")),
    # a sum in another sentence is not the agreements' value
    ("en", "Kazakhstan and Germany signed 36 documents. In 2023, trade between Kazakhstan and "
           "Germany reached $6.3 billion.", None),
])
def test_agreements_signed_and_their_value(lang: str, text: str,
                                           worth: tuple[str, ...] | None) -> None:
    (count,) = _facts(lang, text).counts
    assert count["what"]["en"] == "agreements signed" and count["topic"] == "economy"
    got = count.get("worth")
    assert (None if got is None else (str(got["value"]), got["unit"], got["currency"],
                                      got["qualifier"])) == worth


def test_russian_names_and_places_match_the_latin_spellings_the_data_knows() -> None:
    facts = _facts("ru", "Президент Казахстана Касым-Жомарт Токаев встретился с канцлером "
                         "Германии Олафом Шольцем в Астане 17 сентября.")
    assert [(p["id"], p["name"]) for p in facts.people] == [
        ("tokayev", "Касым-Жомарт Токаев"), ("scholz", "Олафом Шольцем")]
    (meeting,) = facts.events
    assert meeting["place"]["name"]["en"] == "Astana"
    assert sorted(meeting["participants"]) == ["scholz", "tokayev"]


@pytest.mark.parametrize(("printed", "known"), [
    ("Kasym-Zhomart", "Kassym-Jomart"), ("Sholts", "Scholz"), ("Tokaïev", "Tokayev"),
    ("Mirziyoev", "Mirziyoyev")])
def test_one_name_in_two_romanisations_has_one_key(printed: str, known: str) -> None:
    from bot.draft.names import latin_key

    assert latin_key(printed) == latin_key(known)


def test_different_names_keep_different_keys() -> None:
    from bot.draft.names import latin_key

    assert latin_key("Bektenov") != latin_key("Tokayev")
    assert latin_key("Sholts") != latin_key("Shultz")


def test_two_meetings_of_one_day_with_different_people_are_two_events() -> None:
    facts = _facts("en", "On September 12, President Kassym-Jomart Tokayev met Uzbek President "
                         "Shavkat Mirziyoyev in Astana. On September 12, Kazakh Prime Minister "
                         "Olzhas Bektenov met Uzbek Prime Minister Abdulla Aripov.")
    assert [sorted(e["participants"]) for e in facts.events] == [
        ["mirziyoyev", "tokayev"], ["aripov", "bektenov"]]


def test_text_between_two_straight_quotations_is_not_one() -> None:
    facts = _facts("en", "Kazakh President Kassym-Jomart Tokayev met Uzbek President Shavkat "
                         "Mirziyoyev. \"We agreed on a great deal of new projects,\" Tokayev "
                         "said, and Mirziyoyev said in turn: \"Our two countries are brothers "
                         "and will always stay close.\"")
    assert [(q["speaker"], q["text"]) for q in facts.quotes] == [
        ("tokayev", "We agreed on a great deal of new projects,"),
        ("mirziyoyev", "Our two countries are brothers and will always stay close.")]


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("fr", "Jean Dupontel a été le premier ambassadeur de France au Kazakhstan, en 1992.",
     ("Jean Dupontel", "fr", "Ambassadeur de France")),
    ("en", "Mark Ellwood was the first German ambassador to Kazakhstan in the 1990s.",
     ("Mark Ellwood", "en", "Ambassador")),
])
def test_a_role_said_of_a_name_by_a_verb_of_being(lang: str, text: str,
                                                  expected: tuple[str, str, str]) -> None:
    (person,) = _facts(lang, text).people
    name, locale, role = expected
    assert (person["name"], person["role"][locale]) == (name, role)
