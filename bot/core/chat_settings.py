"""What the core may ask of the chat a request comes from: its settings and subscription.

Adapters hand the core an implementation (``bot.store.chat_settings.StoredChat`` backed by
the database, Telegram's ``LazyChat`` that writes a row only on a first change, or the
in-memory ``MemoryChat`` below); who may change the settings is the network's answer.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.library import Pair
from bot.core.pushes import PushSettings, SubscriptionState


class ChatSettings(Protocol):
    """A chat's language, time zone and subscription, as a command sees them."""

    @property
    def locale(self) -> str | None:
        """The language the chat chose (None when it never chose: the core negotiates)."""
        ...

    @property
    def zone(self) -> str | None:
        """The chat's IANA time zone (None when none is stored: the default applies)."""
        ...

    @property
    def persistent(self) -> bool:
        """True when settings and subscriptions are stored (False for a chat kept in memory)."""
        ...

    def settle(self, locale: str, zone: str) -> None:
        """The language and zone this request settled on (kept if a change creates the chat)."""

    async def can_manage(self) -> bool:
        """True when the requester may change the chat's settings (admins of a group)."""
        ...

    async def set_locale(self, locale: str) -> None:
        """Remember the chat's language."""

    async def set_timezone(self, zone: str) -> None:
        """Remember the chat's time zone (an IANA name)."""

    async def subscription(self) -> SubscriptionState | None:
        """The chat's subscription, active or not; None if it never subscribed."""
        ...

    async def subscribe(self, settings: PushSettings) -> None:
        """Create, change or resume the chat's subscription."""

    async def unsubscribe(self) -> bool:
        """Stop the chat's pushes; False if it had no active subscription."""
        ...

    async def pairs(self) -> tuple[Pair, ...]:
        """The country pairs the chat follows, in its order; () if it never chose."""
        ...

    async def set_pairs(self, pairs: tuple[Pair, ...]) -> None:
        """Follow exactly ``pairs``; () brings back the deployment's default."""

    async def introduce(self) -> bool:
        """True the first time it is asked: the chat's first answer lists the pairs."""
        ...


class MemoryChat:
    """One chat whose language lives in memory (a console without database, a warm-up)."""

    persistent = False

    def __init__(self, locale: str | None = None, zone: str | None = None) -> None:
        self.locale = locale
        self.zone = zone
        self.followed: tuple[Pair, ...] = ()

    def settle(self, locale: str, zone: str) -> None:
        """Nothing is stored."""

    async def can_manage(self) -> bool:
        """Whoever types here may change it."""
        return True

    async def set_locale(self, locale: str) -> None:
        """Switch the language for the next requests."""
        self.locale = locale

    async def set_timezone(self, zone: str) -> None:
        """Switch the zone for the next requests."""
        self.zone = zone

    async def subscription(self) -> SubscriptionState | None:
        """Nothing to push to."""
        return None

    async def subscribe(self, settings: PushSettings) -> None:
        """Never asked: the core answers that subscriptions are not available here."""

    async def unsubscribe(self) -> bool:
        """Never subscribed."""
        return False

    async def pairs(self) -> tuple[Pair, ...]:
        """The pairs chosen here (() until /follow)."""
        return self.followed

    async def set_pairs(self, pairs: tuple[Pair, ...]) -> None:
        """Follow exactly ``pairs``."""
        self.followed = pairs

    async def introduce(self) -> bool:
        """A chat kept in memory is not introduced (a one-shot render, a warm-up)."""
        return False
