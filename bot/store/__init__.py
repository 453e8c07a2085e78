"""Storage on SQLite (aiosqlite) or PostgreSQL (asyncpg): chats, subscriptions, the outbox, sync
tokens, replicas."""

# Each backend registers its opener with bot.store.db.Database.open.
from bot.store import postgres, sqlite  # noqa: F401
