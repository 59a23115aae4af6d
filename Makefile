# armswatch: two entry points for a fresh machine.
#   make demo   create .venv, install armswatch, build the demo workspace and write its HTML report
#   make test   create .venv with the dev tools, run ruff, mypy --strict and the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DIR ?= armswatch-demo

.PHONY: demo test lint typecheck unit postgres-server browser fonts bench-env bench bench-scale constraints clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# Noto fonts whose subsets the HTML report embeds (Latin, Cyrillic, Hangul); Debian, as root, only
# when missing. Without them the report names a font stack and says no font was embedded.
fonts:
	@if [ ! -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-noto-core fonts-noto-cjk) || echo "no Noto fonts installed: reports will not embed a font"; fi
	@# Pango for WeasyPrint (PDF of reports and dossiers)
	@if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0) || echo "no Pango installed: PDF output will not work"; fi

demo: $(VENV)/.installed fonts
	rm -rf $(DEMO_DIR)
	$(BIN)/armswatch demo $(DEMO_DIR)

test: lint typecheck unit

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.installed
	$(BIN)/mypy

# Chromium and its driver for the browser tests (Debian, as root, only when missing); without them
# the browser tests are skipped and say why.
browser:
	@if ! command -v chromedriver >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && apt-get install -y -qq chromium chromium-driver) || echo "no browser installed: browser tests will be skipped"; fi

unit: $(VENV)/.installed browser fonts postgres-server
	$(BIN)/pytest -n 2 -q

# The backend contract tests start a throwaway PostgreSQL cluster; install its server when we can.
postgres-server:
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq postgresql || echo "PostgreSQL server not installed: its backend tests will be skipped"; }

# Benchmarks need the peers they compare against (MovingPandas, nomenklatura) and ../shared/data.
bench-env: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'

bench: bench-env
	$(BIN)/python benchmarks/change.py
	$(BIN)/python benchmarks/nmea.py
	$(BIN)/python benchmarks/ais.py
	$(BIN)/python benchmarks/matching.py
	$(BIN)/python benchmarks/entities_import.py
	$(BIN)/python benchmarks/sites_report.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/ais_real.py
	$(BIN)/python benchmarks/count.py
	$(BIN)/python benchmarks/evidence.py
	$(BIN)/python benchmarks/verify.py
	$(BIN)/python benchmarks/web.py
	$(BIN)/python benchmarks/dossier.py
	$(BIN)/python benchmarks/xref.py
	$(BIN)/python benchmarks/resolved_views.py
	$(BIN)/python benchmarks/voyages.py
	$(BIN)/python benchmarks/monitor.py
	$(BIN)/python benchmarks/ais_dask.py
	$(BIN)/python benchmarks/live.py

# 100 M simulated AIS positions through every event detector (~6 min, ~6 GB).
bench-scale: bench-env
	$(BIN)/python benchmarks/ais_scale.py --points 110000000 --chunk 10000000

# Fuzz campaign over every reader: >= 10^6 mutated inputs in 25 min on 2 shared cores (docs/fuzzing.md).
fuzz: $(VENV)/.installed
	$(BIN)/python scripts/fuzz.py

constraints:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^armswatch' > constraints.tmp
	{ echo "# Pinned versions for the demo/test environment (make demo, make test). Regenerate with 'make constraints'."; cat constraints.tmp; } > constraints.txt
	rm constraints.tmp

clean:
	rm -rf $(VENV) $(DEMO_DIR) .mypy_cache .ruff_cache .pytest_cache
