# Bilat: `make run` starts the bot, `make test` runs the whole suite. Both install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCALES := fr en
MO := $(foreach l,$(LOCALES),briefs/locale/$(l)/LC_MESSAGES/messages.mo)

.PHONY: run test lint i18n catalogs bench synapse clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

briefs/locale/%/LC_MESSAGES/messages.mo: briefs/locale/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -D messages -l $* -i $< -o $@ 2>/dev/null \
		|| $(BIN)/pybabel compile -D messages -l $* -i $< -o $@

catalogs: $(MO)

run: $(STAMP) catalogs
	$(BIN)/bilat run

synapse:
	bash scripts/install-synapse.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: $(STAMP) catalogs synapse lint
	$(BIN)/python -m pytest -q

# Extract messages and merge them into each catalog; translate the new French entries after.
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
		--project Bilat --copyright-holder "Bilat" -o briefs/locale/messages.pot .
	for l in $(LOCALES); do \
		test -f briefs/locale/$$l/LC_MESSAGES/messages.po \
		|| $(BIN)/pybabel init -D messages -l $$l -i briefs/locale/messages.pot -d briefs/locale; \
		$(BIN)/pybabel update -D messages -l $$l -i briefs/locale/messages.pot -d briefs/locale \
			--no-fuzzy-matching --ignore-obsolete; \
	done

bench: $(STAMP) catalogs synapse
	$(BIN)/python bench/render.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/telegram.py
	$(BIN)/python bench/matrix.py

clean:
	rm -rf $(VENV) .venv-synapse .mypy_cache .ruff_cache .pytest_cache $(MO)
