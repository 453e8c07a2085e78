"""The `bilat` command line, run as a user runs it (a real subprocess)."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import DATA, ROOT
from tests.support.process import clean_environ


def bilat(*args: str, stdin: str = "", env: dict[str, str] | None = None,
          cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot`` with a clean Bilat environment."""
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, text=True,
                          capture_output=True, env=clean_environ(**(env or {})), cwd=cwd,
                          timeout=60, check=False)


def test_check_reports_the_seed_inconsistencies() -> None:
    result = bilat("check")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "warning: 2024: exports ($3.3\u00a0billion) and imports ($1.8\u00a0billion) add up " \
           "to $5.1\u00a0billion, not the stated $5.5\u00a0billion, more than the rounding of " \
           "the printed figures allows (La Gazette, 7 May 2025)." in out
    assert "stated growth" not in out  # +7.7 % from "4" to "4.2" is within printed precision
    assert "sources differ" in out and "at the 2022 average rate" in out
    assert "most likely a currency mislabel" in out
    assert out.strip().splitlines()[-1].endswith("warning(s).")


def test_check_fails_on_a_broken_file_and_names_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    seed = data / "articles" / "lagazette-2025-05-07-kazakhstan-france.yaml"
    seed.write_text(seed.read_text(encoding="utf-8").replace(
        "value: 2025-05-08}", "value: 2025-02-30}", 1), encoding="utf-8")
    result = bilat("check", str(data), cwd=tmp_path)
    assert result.returncode == 1
    assert "data/articles/lagazette-2025-05-07-kazakhstan-france.yaml:" in result.stdout
    assert "events[0].date.value: 2025-02-30 is not a valid date" in result.stdout
    assert "nothing loaded" in result.stderr


def test_render_as_of_in_french() -> None:
    result = bilat("render", "/events", "--lang", "fr", "--as-of", "2025-05-08")
    assert result.returncode == 0, result.stderr
    assert "Au 8 mai 2025\n" in result.stdout
    assert "8 mai 2025 (aujourd’hui) · Astana" in result.stdout


def test_a_date_alone_starts_the_clock_at_noon(tmp_path: Path) -> None:
    """Not at 23:59:59, where the first answer would already be as of the next day."""
    env = {"BILAT_DB": str(tmp_path / "b.sqlite3")}
    result = bilat("console", "--lang", "en", "--as-of", "2025-05-07", stdin="/events\n",
                   env=env)
    assert result.returncode == 0, result.stderr
    assert "As of 7 May 2025\n" in result.stdout


def test_render_html_form() -> None:
    result = bilat("render", "/trade 2024", "--lang", "en", "--as-of", "2025-05-08", "--html")
    assert "2024: $5.5\u00a0billion (+31% on 2023)" in result.stdout


def test_render_rejects_a_bad_instant() -> None:
    result = bilat("render", "/events", "--as-of", "yesterday")
    assert result.returncode == 2
    assert "'yesterday' is not a date" in result.stderr


def test_console_answers_like_a_chat_with_bilat_now(tmp_path: Path) -> None:
    env = {"BILAT_NOW": "2025-05-07T23:50:00+05:00", "BILAT_DB": str(tmp_path / "b.sqlite3")}
    result = bilat("console", "--lang", "en", stdin="/events\n/nonsense\n/lang fr\n/trade\n",
                   env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "8 May 2025 (tomorrow) · Astana" in out
    assert "Unknown command /nonsense. /help lists the commands." in out
    assert "Langue\u202f: français." in out
    assert "Commerce Kazakhstan–France" in out


def test_run_without_a_network_or_a_terminal_stops_at_once(tmp_path: Path) -> None:
    """In a container, a quiet exit 0 would be restarted forever: say why, and fail."""
    env = {"BILAT_NOW": "2025-05-08", "BILAT_DB": str(tmp_path / "b.sqlite3"),
           "TELEGRAM_TOKEN": "123:abc", "BILAT_TELEGRAM_BOT_TOKEN": "123:abc"}
    result = bilat("run", stdin="/help\n", env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    err = result.stderr
    assert "no chat network is configured" in err and "no terminal for the console" in err
    assert "TELEGRAM_TOKEN is set, but Bilat reads TELEGRAM_BOT_TOKEN: rename it." in err
    assert "BILAT_TELEGRAM_BOT_TOKEN is set, but Bilat reads TELEGRAM_BOT_TOKEN: rename it." \
        in err


def test_run_at_a_terminal_says_why_it_opens_the_console(tmp_path: Path) -> None:
    """``make run`` with no credentials, on the real clock: the console, and why."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("BILAT_", "TELEGRAM_", "MATRIX_"))}
    env = {**base, "BILAT_DB": str(tmp_path / "b.sqlite3"), "TELEGRAM_TOKEN": "123:abc"}
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-m", "bot", "run"], stdin=follower,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env=env, cwd=ROOT)
        os.write(leader, b"/aide\n/quit\n")
        out, err = process.communicate(timeout=60)
    finally:
        os.close(leader)
        os.close(follower)
    assert process.returncode == 0, err
    assert "No chat network is configured" in err and "Starting the console instead" in err
    assert "TELEGRAM_TOKEN is set, but Bilat reads TELEGRAM_BOT_TOKEN: rename it." in err
    # The real clock is far past the bundled data: say so, and how to see the demo.
    assert "The newest article came out on 2025-05-07" in err
    assert "BILAT_NOW=2025-05-08 make run, or bilat console --as-of 2025-05-08" in err
    assert "/trade [all|notes|sources|year]" in out


def test_the_console_reloads_changed_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("BILAT_", "TELEGRAM_", "MATRIX_"))}
    env = {**base, "BILAT_DB": str(tmp_path / "b.sqlite3"), "BILAT_DATA_DIR": str(data),
           "BILAT_NOW": "2025-05-08", "BILAT_RELOAD_INTERVAL": "1s"}
    process = subprocess.Popen([sys.executable, "-m", "bot", "console", "--lang", "en"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("/articles\n")
    process.stdin.flush()
    while "Wikinews" not in (line := process.stdout.readline()):
        assert line, "the first answer never listed Wikinews"
    (data / "articles" / "wikinews-2023-11-02-macron-astana.yaml").unlink()
    time.sleep(2.5)  # more than BILAT_RELOAD_INTERVAL
    out, err = process.communicate("/articles\n/quit\n", timeout=60)
    assert process.returncode == 0, err
    assert "La Gazette" in out
    assert "Wikinews" not in out


def test_invalid_setting_is_named() -> None:
    result = bilat("render", "/help", env={"BILAT_TIMEZONE": "Mars/Olympus"})
    assert result.returncode == 2
    assert "BILAT_TIMEZONE: 'Mars/Olympus' is not an IANA time zone" in result.stderr


def test_the_default_pair_is_a_setting() -> None:
    result = bilat("render", "/trade", "--as-of", "2025-05-07",
                   env={"BILAT_DEFAULT_PAIRS": "KZ-DE"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Kazakhstan–Germany trade, 2023\n")
    assert bilat("render", "/trade DE").stdout.startswith("Kazakhstan–Germany trade, ")
    bad = bilat("render", "/help", env={"BILAT_DEFAULT_PAIRS": "Germany"})
    assert bad.returncode == 2
    assert "BILAT_DEFAULT_PAIRS: 'Germany' is not a list of country pairs such as KZ-FR,KZ-DE" \
        in bad.stderr
