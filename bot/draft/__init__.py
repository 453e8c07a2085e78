"""Drafting article data from a published article: text in, unreviewed facts with evidence out.

Nothing here is imported by the bot at start-up; the optional ``draft`` extra brings the
libraries it needs for web pages (trafilatura) and dates written in words (dateparser).
"""
