"""The Telegram adapter: python-telegram-bot v22 over the Bot API (or a local server)."""

import os

# PTB 22 warns when it builds RetryAfter with an int unless timedeltas are opted into; the
# variable must be set before telegram is imported anywhere in the process.
os.environ.setdefault("PTB_TIMEDELTA", "1")
