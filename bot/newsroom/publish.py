"""Publishing a reviewed draft: the article file is checked as the loader will read it, then
written atomically into the data directory, never over another file."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from bot.core.load import DataInvalid, load_dataset

VOCABULARIES = ("sectors.yaml", "countries.yaml")


class Refused(ValueError):
    """The article file was not written; ``findings`` says why, one problem a line."""

    def __init__(self, findings: list[str]) -> None:
        super().__init__("; ".join(findings))
        self.findings = findings


def check(text: str, article_id: str, data_dir: Path, known_ids: set[str]) -> list[str]:
    """What the loader would refuse in this article file, beside the data in service."""
    findings = []
    if article_id in known_ids or (data_dir / "articles" / f"{article_id}.yaml").exists():
        findings.append(f"an article with id {article_id!r} is already in the data")
    with tempfile.TemporaryDirectory(prefix="bilat-check-") as scratch:
        root = Path(scratch)
        for name in VOCABULARIES:
            if (data_dir / name).is_file():
                shutil.copyfile(data_dir / name, root / name)
        (root / "articles").mkdir()
        (root / "articles" / f"{article_id}.yaml").write_text(text, encoding="utf-8")
        try:
            load_dataset(root)
        except DataInvalid as exc:
            findings.extend(str(e).replace(f"{root}/", "") for e in exc.errors)
    return findings


def write(text: str, article_id: str, data_dir: Path) -> Path:
    """Write ``articles/<id>.yaml`` atomically: complete or absent, never overwriting."""
    folder = data_dir / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{article_id}.yaml"
    fd, temp = tempfile.mkstemp(prefix=f".{article_id}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temp, target)  # fails if the target exists: no editor overwrites another
        except FileExistsError:
            raise Refused([f"{target.name} already exists in the data"]) from None
    finally:
        Path(temp).unlink(missing_ok=True)
    return target


def publish(text: str, article_id: str, data_dir: Path, known_ids: set[str]) -> Path:
    """Check, then write; Refused with the findings when the file is not valid."""
    findings = check(text, article_id, data_dir, known_ids)
    if findings:
        raise Refused(findings)
    return write(text, article_id, data_dir)
