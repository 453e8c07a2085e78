"""Storage on SQLite (aiosqlite): chats, subscriptions, the outbox, sync tokens."""
