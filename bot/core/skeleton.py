"""The commented skeleton `bilat new` writes: a valid draft to fill in (see data/README.md)."""

SKELETON = """\
# A new article file. Fill in every TODO, uncomment the facts the article gives, delete the
# rest, then delete `draft: true`. `bilat check THIS-FILE` says what is still missing.
# Rules: every fact comes from the article and carries `evidence`, the sentence verbatim;
# numbers as printed (5.5, 4.20); titles, key points and roles are ours, in French and English.
id: todo-publisher-2025-01-31-subject   # TODO: lower case, digits, - and _; unique
draft: true
source:
  publisher: "TODO: who published it"
  url: https://example.org/TODO          # where it was published (or delete the line)
  published: 2025-01-31T00:00:00+00:00   # TODO: publication time with its UTC offset
  language: en                           # language of the source text: fr, en, ru...
countries: [KZ, FR]                      # TODO: the pair, ISO codes, in the usual order
title: {fr: "TODO: notre titre", en: "TODO: our headline"}
key_points:                              # 3 to 5, one sentence each, ours
  - {fr: "TODO: point clé 1", en: "TODO: key point 1"}
  - {fr: "TODO: point clé 2", en: "TODO: key point 2"}
  - {fr: "TODO: point clé 3", en: "TODO: key point 3"}
sectors: []                              # codes from data/sectors.yaml, e.g. [energy, trade]
# people:
#   - id: macron
#     name: Emmanuel Macron               # as printed
#     country: FR
#     role: {fr: "Président de la République", en: "President of France"}
# quotes:
#   - {speaker: macron, language: fr, text: "the words, verbatim"}
# trade:
#   - id: turnover-2024
#     period: "2024"                      # or a month range: 2023-01/2023-08
#     flow: turnover                      # turnover, exports or imports
#     reporter: KZ                        # exports go reporter -> partner
#     partner: FR
#     value: 5.5                          # as printed
#     unit: billion                       # one, thousand, million or billion
#     currency: USD
#     qualifier: exact                    # exact, approximately, more_than, nearly, less_than
#     growth: {percent: 7.7, base: previous_year}   # or same_period_previous_year
#     evidence: "the sentence, verbatim"
# investments:
#   - {id: fdi-stock, kind: stock, investor: FR, host: KZ, since: 2005, value: 18.7,
#      unit: billion, currency: USD, evidence: "the sentence, verbatim"}
# counts:
#   - {id: companies, what: {fr: entreprises françaises, en: French companies}, value: 170,
#      qualifier: more_than, topic: economy, evidence: "the sentence, verbatim"}
# events:
#   - id: visit-2025
#     kind: official_visit                # state_visit, visit, forum, meeting, talks...
#     title: {fr: "Visite officielle", en: "Official visit"}
#     date: {precision: day, value: 2025-05-08}    # or days, month, year, before, unknown
#     place: {name: {fr: Astana, en: Astana}, timezone: Asia/Almaty}
#     participants: [macron]
#     status: held                        # planned, held or cancelled
#     evidence: "the sentence, verbatim"
"""
