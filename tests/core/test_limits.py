"""Data limits by schema: hostile or mistyped files get a located error, never a crash.

Each case here once passed ``bilat check`` and then broke briefings, or broke the check
itself (issue 10, items 1, 3, 6, 7 and 11).
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core import load
from bot.core.load import DataInvalid, load_dataset
from tests.conftest import DATA, ROOT
from tests.core.test_load import VALID, _setup


def _errors(root: Path) -> list[str]:
    """Every error loading ``root`` gives, without the directory part of the file name."""
    with pytest.raises(DataInvalid) as info:
        load_dataset(root)
    return [str(e).replace(str(root / "articles") + "/", "") for e in info.value.errors]


def _changed(tmp_path: Path, old: str, new: str) -> list[str]:
    assert old in VALID
    return _errors(_setup(tmp_path, VALID.replace(old, new, 1)))


def _laughs(levels: int) -> str:
    """The "billion laughs" file: each level aliases the one before nine times."""
    lines = ['l0: &l0 ["ha","ha","ha","ha","ha","ha","ha","ha","ha"]']
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    """At most 1 GiB of address space: the unbounded loader needed 3 GiB for 8 levels."""
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


# Item 1: aliases --------------------------------------------------------------------------

def test_an_alias_is_refused_with_its_line(tmp_path: Path) -> None:
    text = VALID.replace("title: {fr: Titre, en: Title}", "title: &t {fr: Titre, en: Title}")
    text = text.replace("    title: {fr: Forum, en: Forum}", "    title: *t")
    assert _errors(_setup(tmp_path, text)) == [
        "x.yaml:32: not valid YAML: aliases (*name) are not allowed in data files; "
        "write the value out"]


def test_billion_laughs_is_refused_by_bilat_check_within_bounded_memory(
        tmp_path: Path) -> None:
    root = _setup(tmp_path, VALID)
    (root / "articles" / "laughs.yaml").write_text(_laughs(9), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "bot", "check", str(root)], text=True,
                            capture_output=True, timeout=60, check=False, cwd=ROOT,
                            preexec_fn=_limit_memory)
    assert result.returncode == 1, result.stderr
    assert "laughs.yaml:2: not valid YAML: aliases (*name) are not allowed" in result.stdout
    assert "Traceback" not in result.stderr


# Item 3: numbers and dates that crashed briefings -----------------------------------------

NUMBERS = [
    ("29 digits", "value: 4.20", "value: 12345678901234567890123456789",
     "x.yaml:25: trade[0].value: 12345678901234567890123456789 has more than 15 digits"),
    ("huge exponent", "value: 4.20", "value: 1.0e999999",
     "x.yaml:25: trade[0].value: 1.0e999999 has more than 15 digits"),
    ("1e30 (a string to YAML)", "value: 4.20", "value: 1e30",
     "x.yaml:25: trade[0].value: 1e30 has more than 15 digits"),
    ("huge growth", "    currency: USD\n",
     "    currency: USD\n    growth: {percent: 1.0e999999, base: previous_year}\n",
     "x.yaml:28: trade[0].growth.percent: 1.0e999999 has more than 9 digits"),
    ("before year 1", "date: {precision: day, value: 2024-05-01}",
     "date: {precision: before, value: 0001-01-01}",
     "x.yaml:33: events[0].date.value: 0001-01-01 is outside 1900-2100"),
    ("range to 9999", "date: {precision: day, value: 2024-05-01}",
     "date: {precision: days, start: 2024-05-01, end: 9999-12-31}",
     "x.yaml:33: events[0].date.end: 9999-12-31 is outside 1900-2100"),
    ("month in 2999", "date: {precision: day, value: 2024-05-01}",
     "date: {precision: month, value: 2999-01}",
     "x.yaml:33: events[0].date.value: 2999-01 is outside 1900-2100"),
    ("published in 1066", "2024-03-01T10:00:00+05:00", "1066-03-01T10:00:00+05:00",
     "x.yaml:5: source.published: 1066-03-01 is outside 1900-2100"),
]


@pytest.mark.parametrize(("old", "new", "expected"), [c[1:] for c in NUMBERS],
                         ids=[c[0] for c in NUMBERS])
def test_numbers_and_dates_are_bounded(tmp_path: Path, old: str, new: str,
                                       expected: str) -> None:
    assert _changed(tmp_path, old, new) == [expected]


# Item 6: unreadable files ------------------------------------------------------------------

def test_a_control_character_is_located(tmp_path: Path) -> None:
    text = VALID.replace("title: {fr: Titre, en: Title}", "title: {fr: Ti\x07tre, en: Title}")
    assert _errors(_setup(tmp_path, text)) == [
        "x.yaml:8: character U+0007 at column 15 is not allowed in YAML (a control character?)"]


def test_an_escaped_control_character_is_refused_by_the_schema(tmp_path: Path) -> None:
    assert _changed(tmp_path, "title: {fr: Titre, en: Title}",
                    'title: {fr: "Ti\\x1btre", en: Title}') == [
        "x.yaml:8: title.fr: contains the control character U+001B"]


def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path: Path) -> None:
    root = _setup(tmp_path, VALID)
    (root / "articles" / "deep.yaml").write_text("x: " + "[" * 50_000 + "]" * 50_000,
                                                 encoding="utf-8")
    assert _errors(root) == ["deep.yaml:1: not valid YAML: nested more than 20 levels deep"]


def test_a_symbolic_link_loop_is_named(tmp_path: Path) -> None:
    root = _setup(tmp_path, VALID)
    (root / "articles" / "loop.yaml").symlink_to("loop.yaml")
    (error,) = _errors(root)
    assert error.startswith("loop.yaml:1: cannot read file:")
    assert "symbolic links" in error


def test_not_utf8_is_named(tmp_path: Path) -> None:
    root = _setup(tmp_path, VALID)
    (root / "articles" / "latin1.yaml").write_bytes("id: caf\xe9\n".encode("latin-1"))
    assert _errors(root) == ["latin1.yaml:1: not UTF-8 text: invalid continuation byte at "
                             "byte 7"]


# Item 7: sizes of texts, lists, files and folders ----------------------------------------

def test_a_huge_key_point_is_refused(tmp_path: Path) -> None:
    point = "word " * 100
    assert "x.yaml:10: key_points[0].en: is 499 characters long; at most 400 are allowed" \
        in _changed(tmp_path, "{fr: Un, en: One}", f"{{fr: Un, en: {point}}}")


def test_a_long_evidence_is_refused(tmp_path: Path) -> None:
    assert _changed(tmp_path, 'evidence: "Trade reached $4.20 billion."',
                    "evidence: " + "x" * 1001) == [
        "x.yaml:28: trade[0].evidence: is 1001 characters long; at most 1000 are allowed"]


def test_a_file_over_the_size_cap_is_refused_unread(tmp_path: Path) -> None:
    root = _setup(tmp_path, VALID)
    (root / "articles" / "big.yaml").write_text("# " + "x" * load.MAX_FILE_BYTES,
                                                encoding="utf-8")
    assert _errors(root) == [
        f"big.yaml:1: file is {load.MAX_FILE_BYTES + 2} bytes; at most "
        f"{load.MAX_FILE_BYTES} are allowed"]


def test_too_many_files_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _setup(tmp_path, VALID)
    for i in range(3):
        (root / "articles" / f"copy{i}.yaml").write_text(VALID, encoding="utf-8")
    monkeypatch.setattr(load, "MAX_FILES", 3)
    with pytest.raises(DataInvalid) as info:
        load_dataset(root)
    assert [e.message for e in info.value.errors] == ["4 article files; at most 3 are allowed"]


def test_bundled_data_is_within_every_limit() -> None:
    assert len(load_dataset(DATA).articles) >= 8


# Item 11: an empty folder ------------------------------------------------------------------

def test_bilat_check_on_an_empty_folder_fails(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    for path in (data / "articles").iterdir():
        path.unlink()
    result = subprocess.run([sys.executable, "-m", "bot", "check", str(data)], text=True,
                            capture_output=True, timeout=60, check=False, cwd=ROOT)
    assert result.returncode == 1
    assert "no article files (*.yaml) found" in result.stderr


def test_a_long_wrong_value_is_quoted_cut(tmp_path: Path) -> None:
    """Found by the fuzzer: a 1,000-character list as an event kind was quoted in full."""
    wrong = "[" + ", ".join(["x" * 100] * 10) + "]"
    (error,) = _changed(tmp_path, "kind: forum", f"kind: {wrong}")
    assert len(error) < 400
    assert error.startswith("x.yaml:31: events[0].kind: ['xxx")
    assert error.endswith("'signing' or 'other'")


def test_a_long_unknown_participant_is_quoted_cut(tmp_path: Path) -> None:
    """Found by the fuzzer: a participant is a person's id, not any text."""
    errors = _changed(tmp_path, "participants: [someone]", "participants: [" + "é" * 900 + "]")
    assert errors and all(len(e) < 400 for e in errors)
    assert errors[0] == ("x.yaml:34: events[0].participants[0]: is 900 characters long; at most "
                         "80 are allowed")
