"""Annual average exchange rates (bundled, with their source) for indicative conversions only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

from bot.core.facts import Localized

TABLE = Path(__file__).resolve().parents[2] / "data" / "fx" / "ecb-annual-averages.yaml"


@dataclass(frozen=True)
class Rates:
    """Units of each currency per one unit of ``base``, by year, and where they come from."""

    base: str
    by_year: dict[str, dict[int, Decimal]]
    source: Localized
    url: str

    def rate(self, currency: str, year: int) -> Decimal | None:
        """Units of ``currency`` per unit of the base currency that year, if known."""
        if currency == self.base:
            return Decimal(1)
        return self.by_year.get(currency, {}).get(year)

    def factor(self, source: str, target: str, year: int) -> Decimal | None:
        """What one unit of ``source`` is worth in ``target`` at ``year``'s average rate."""
        a, b = self.rate(source, year), self.rate(target, year)
        if a is None or b is None:
            return None
        return b / a


@cache
def rates(path: Path = TABLE) -> Rates:
    """The bundled table (read once)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    # Rates are read as text so that 1.0530 keeps its printed digits.
    by_year = {str(cur): {int(y): Decimal(str(v)) for y, v in years.items()}
               for cur, years in raw["rates"].items()}
    src = raw["source"]
    return Rates(str(raw["base"]), by_year, Localized(fr=src["fr"], en=src["en"]),
                 str(src["url"]))
