"""Articles to drop into a copy of the data directory: a valid new one, a broken one."""

from __future__ import annotations

from pathlib import Path


def new_article(data: Path, suffix: str = "reload", title: str = "Reloaded article") -> Path:
    """A valid article written into ``data`` (a copy of one, under a new id and title)."""
    source = data / "articles" / "wikinews-2023-11-02-macron-astana.yaml"
    text = source.read_text(encoding="utf-8")
    text = text.replace("id: wikinews-2023-11-02-macron-astana",
                        f"id: wikinews-2023-11-02-{suffix}", 1)
    text = text.replace('en: "Emmanuel Macron visits Astana"', f'en: "{title}"', 1)
    target = data / "articles" / f"wikinews-2023-11-02-{suffix}.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def broken_article(data: Path) -> Path:
    """An article file with a date that does not exist."""
    target = new_article(data, "broken", "Broken article")
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("published: 2023-11-02T00:00:00+01:00",
                                   "published: 2023-02-30T00:00:00+01:00", 1), encoding="utf-8")
    return target
