"""`bilat draft`, `bilat new` and `bilat check FILE`, run as an editor runs them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import DATA, ROOT
from tests.test_cli import bilat

DEV = ROOT.parent / "shared" / "extract-dev"


def _gold() -> list[dict[str, Any]]:
    articles: list[dict[str, Any]] = yaml.safe_load(
        (DEV / "gold.yaml").read_text(encoding="utf-8"))["articles"]
    return articles


def _published(article: dict[str, Any]) -> str:
    if article.get("published"):
        return str(article["published"])
    found = re.search(r"\d{4}-\d{2}-\d{2}", str(article["published_estimate"]))
    assert found is not None
    return found.group()


@pytest.mark.parametrize("article", _gold(), ids=lambda a: str(a["id"]))
def test_each_development_article_drafts_a_file_check_accepts(
        tmp_path: Path, article: dict[str, Any]) -> None:
    out = tmp_path / "draft.yaml"
    made = bilat("draft", str(DEV / article["text_file"]), "--published", _published(article),
                 "--publisher", article["publisher"], "--url", article["url"], "-o", str(out))
    assert made.returncode == 0, made.stderr
    assert "all unreviewed" in made.stdout
    checked = bilat("check", str(out))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = checked.stdout.splitlines()
    assert lines[-1].startswith("1 article(s) valid (1 draft(s), ")
    assert any(": title: to review: write our headline" in line for line in lines)
    drafted = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert drafted["draft"] is True
    assert drafted["source"]["language"] == article["language"]
    assert drafted["countries"][:2] in (article["pair"], article["pair"][::-1])
    facts = [f for name in ("trade", "investments", "counts", "events", "people", "quotes")
             for f in drafted.get(name, [])]
    assert facts and all(f["unreviewed"] is True for f in facts)
    # every fact's line is listed as left to review, by its own field
    assert sum("to review: check" in line for line in lines) == len(facts)


def test_draft_reads_a_web_page_and_its_metadata(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<!doctype html><html lang='fr'><head><title>Le Kazakhstan et la France - Le Monde"
        " test</title><meta property='og:site_name' content='Gazette des tests'>"
        "<meta property='article:published_time' content='2024-03-05T09:00:00+01:00'>"
        "</head><body><nav>Accueil Économie Monde</nav><article><h1>Le Kazakhstan et la "
        "France</h1><p>En janvier-septembre 2023, les échanges entre le Kazakhstan et la "
        "France ont atteint près de 3,6 milliards de dollars, a indiqué le Premier ministre "
        "Olzhas Bektenov.</p><p>Plus de 170 entreprises françaises travaillent au "
        "Kazakhstan, selon le ministère.</p></article><footer>Mentions légales</footer>"
        "</body></html>", encoding="utf-8")
    made = bilat("draft", str(page), "-o", "-")
    assert made.returncode == 0, made.stderr
    drafted = yaml.safe_load(made.stdout)
    assert drafted["source"]["publisher"] == "Gazette des tests"
    assert drafted["source"]["published"].startswith("2024-03-05")
    assert drafted["source"]["language"] == "fr"
    (figure,) = drafted["trade"]
    assert (figure["period"], figure["flow"], str(figure["value"]), figure["unit"],
            figure["currency"], figure["qualifier"]) == (
        "2023-01/2023-09", "turnover", "3.6", "billion", "USD", "nearly")
    assert figure["evidence"].startswith("En janvier-septembre 2023, les échanges")
    assert "Accueil" not in made.stdout and "Mentions" not in made.stdout
    assert "# The page's own title, for reference: Le Kazakhstan et la France" in made.stdout
    assert drafted["title"] == {"fr": "TODO: notre titre", "en": "TODO: our headline"}
    (person,) = drafted["people"]
    assert (person["name"], person["role"]["fr"]) == ("Olzhas Bektenov", "Premier ministre")


@pytest.mark.parametrize(("lang", "sentence", "published", "period"), [
    ("ru", "В январе-сентябре 2019 года товарооборот Казахстана и Франции составил "
           "$3,4 млрд.", "2019-11-11", "2019-01/2019-09"),
    ("en", "Last year, trade between Uzbekistan and Germany reached $1.2 billion.",
     "2024-02-01", "2023"),
    ("fr", "Au cours des huit premiers mois de cette année, les échanges entre "
           "l'Ouzbékistan et la France ont atteint 850 millions d'euros.",
     "2023-10-02", "2023-01/2023-08"),
    ("en", "For the past nine months, trade between Kazakhstan and Italy grew to "
           "$2.1 billion.", "2022-11-15", "2022-01/2022-09"),
])
def test_periods_are_resolved_against_the_publication_day(
        lang: str, sentence: str, published: str, period: str) -> None:
    made = bilat("draft", "-", "--published", published, "--publisher", "Wire", "-o", "-",
                 stdin=sentence + "\n")
    assert made.returncode == 0, made.stderr
    drafted = yaml.safe_load(made.stdout)
    assert drafted["source"]["language"] == lang
    assert [t["period"] for t in drafted["trade"]] == [period]
    assert drafted["trade"][0]["evidence"] == sentence


def test_the_language_can_be_given() -> None:
    text = "Kazakhstan, France: 2023, $4 billion.\n"
    made = bilat("draft", "-", "--lang", "fr", "--published", "2024-01-05", "--publisher", "W",
                 "-o", "-", stdin=text)
    assert made.returncode == 0, made.stderr
    assert "  language: fr\n" in made.stdout


def test_draft_without_a_date_says_what_to_pass(tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("In 2023, trade between Kazakhstan and France reached $4 billion.\n",
                    encoding="utf-8")
    made = bilat("draft", str(text))
    assert made.returncode == 2
    assert "pass --published YYYY-MM-DD" in made.stderr


def _publish(path: Path, keep_unreviewed: bool) -> None:
    """What an editor does: write the titles, drop the draft mark (and maybe the others)."""
    text = path.read_text(encoding="utf-8").replace("draft: true\n", "").replace("TODO: ", "")
    if not keep_unreviewed:
        text = text.replace("  unreviewed: true\n", "")
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("reviewed", [False, True], ids=["unreviewed", "reviewed"])
def test_the_bot_never_serves_an_unreviewed_fact(tmp_path: Path, reviewed: bool) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    env = {"BILAT_DATA_DIR": str(data)}
    text = "In 2031, trade between Kazakhstan and France reached $9.7 billion.\n"
    made = bilat("draft", "-", "--published", "2032-01-10", "--publisher", "Test Wire",
                 stdin=text, env=env)
    assert made.returncode == 0, made.stderr
    path = data / "articles" / "test-wire-2032-01-10-kz-fr.yaml"
    shown = bilat("render", "/trade 2031", "--as-of", "2032-02-01", "--lang", "en", env=env)
    assert "$9.7" not in shown.stdout  # a draft is never served
    _publish(path, keep_unreviewed=not reviewed)
    checked = bilat("check", str(path), env=env)
    assert checked.returncode == 0, checked.stdout
    assert ("to review: check 'turnover-2031'" in checked.stdout) is not reviewed
    shown = bilat("render", "/trade 2031", "--as-of", "2032-02-01", "--lang", "en", env=env)
    assert shown.returncode == 0, shown.stderr
    assert ("$9.7\u00a0billion" in shown.stdout) is reviewed


def test_check_file_prints_only_that_files_findings(tmp_path: Path) -> None:
    seed = DATA / "articles" / "lagazette-2025-05-07-kazakhstan-france.yaml"
    other = DATA / "articles" / "azernews-2019-11-11-mamin-french-business.yaml"
    own = bilat("check", str(seed))
    assert own.returncode == 0, own.stdout
    assert "warning: 2024: exports ($3.3\u00a0billion)" in own.stdout
    quiet = bilat("check", str(other))
    assert quiet.returncode == 0, quiet.stdout
    assert "La Gazette" not in quiet.stdout
    assert quiet.stdout.splitlines()[-1] == \
        "1 article(s) valid (0 draft(s), 0 item(s) to review), 0 warning(s)."
    # an error elsewhere is counted, not printed; this file's own errors all come at once
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    broken = data / "articles" / seed.name
    broken.write_text(broken.read_text(encoding="utf-8").replace("flow: exports",
                                                                 "flow: export", 1),
                      encoding="utf-8")
    mine = data / "articles" / other.name
    mine.write_text(mine.read_text(encoding="utf-8").replace("currency: USD", "currency: $", 1)
                    .replace("title:", "title: Mamin\nold_title:", 1), encoding="utf-8")
    result = bilat("check", str(mine), env={"BILAT_DATA_DIR": str(data)}, cwd=tmp_path)
    assert result.returncode == 1
    printed = result.stdout.splitlines()
    assert all(line.startswith(f"data/articles/{other.name}:") for line in printed)
    assert any(": title: expected a French and an English text" in line for line in printed)
    assert any(": old_title: unknown field" in line for line in printed)
    assert any("'$' is not an ISO 4217 currency code" in line for line in printed)
    assert re.search(r"^\d+ error\(s\) in other files", result.stderr, re.MULTILINE)


def test_new_writes_a_skeleton_that_check_accepts_as_a_draft(tmp_path: Path) -> None:
    path = tmp_path / "new.yaml"
    made = bilat("new", str(path))
    assert made.returncode == 0, made.stderr
    assert path.read_text(encoding="utf-8").startswith("# A new article file.")
    checked = bilat("check", str(path))
    assert checked.returncode == 0, checked.stdout
    assert ": title: to review: write our headline in French and English" in checked.stdout
    assert checked.stdout.splitlines()[-1].startswith("1 article(s) valid (1 draft(s), ")
    again = bilat("new", str(path))
    assert again.returncode == 2 and "exists" in again.stderr


def test_the_bot_starts_without_the_drafting_libraries() -> None:
    """`bilat run` and the CLI import neither trafilatura nor dateparser."""
    import subprocess
    import sys

    probe = ("import sys, bot.cli, bot.core.library, bot.core.review; print(sorted("
             "{'trafilatura', 'dateparser', 'bot.draft.extract'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"
