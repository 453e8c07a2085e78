"""Which covered pair an item concerns, in English, French and Russian: country names in
their inflected forms, adjectives, capitals and people the data knows."""

from __future__ import annotations

import pytest

from bot.core.library import Library
from bot.newsroom.desk import Desk


@pytest.mark.parametrize(("text", "pair"), [
    ("Kazakhstan and France sign twelve agreements", ("FR", "KZ")),
    ("Astana hosts a French delegation", ("FR", "KZ")),
    ("Coopération franco-kazakhe : accords signés à Paris", ("FR", "KZ")),
    ("Les entreprises allemandes investissent au Kazakhstan", ("DE", "KZ")),
    ("В Астане обсудили сотрудничество с Францией", ("FR", "KZ")),
    ("Tokayev meets business leaders in Paris", ("FR", "KZ")),
    ("В Ташкенте обсудили сотрудничество с Францией", ("FR", "UZ")),
    ("Tashkent welcomes the French minister", ("FR", "UZ")),
    ("Sunny weekend ahead in Lyon", None),
    ("France and Germany talk about the euro", None),  # not a covered pair
])
def test_the_pair_an_item_concerns(library: Library, text: str,
                                   pair: tuple[str, str] | None) -> None:
    assert Desk(lambda: library).concerns(text) == pair
