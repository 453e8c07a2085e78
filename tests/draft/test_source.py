"""A web page read in-process: main text and metadata through trafilatura's current API
(pytest turns warnings into errors, so a deprecated call fails here)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.draft.source import SourceError, read

PAGE = ("<!doctype html><html lang='en'><head><title>Kazakhstan and Italy - Test Gazette"
        "</title><meta property='og:site_name' content='Test Gazette'>"
        "<meta property='article:published_time' content='2024-06-03T08:00:00+00:00'>"
        "</head><body><nav>Home Business World</nav><article><h1>Kazakhstan and Italy</h1>"
        "<p>In 2023, trade between Kazakhstan and Italy reached $9.1 billion, the "
        "ministry said in a statement published on Monday in the capital.</p>"
        "<p>About 250 Italian companies work in Kazakhstan, according to the embassy, "
        "which counts firms in energy, engineering and food processing.</p></article>"
        "<footer>Legal notice</footer></body></html>")


def test_a_page_gives_its_text_and_metadata_without_a_warning() -> None:
    page = read(PAGE, url="https://example.test/kz-it")
    assert "In 2023, trade between Kazakhstan and Italy reached $9.1 billion" in page.text
    assert "Home Business" not in page.text and "Legal notice" not in page.text
    assert (page.published, page.publisher, page.url) == (
        date(2024, 6, 3), "Test Gazette", "https://example.test/kz-it")
    assert page.title is not None and page.title.startswith("Kazakhstan and Italy")


def test_a_page_without_article_text_is_refused_with_a_reason() -> None:
    with pytest.raises(SourceError, match="no article text"):
        read("<!doctype html><html><body><div></div></body></html>")
