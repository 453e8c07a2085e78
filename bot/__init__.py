"""Bilat: bilingual briefings on bilateral relations, for Telegram, Matrix and the console."""

__version__ = "0.1.0"
