# nianbao: `make run` builds the tool and consolidates the bundled Jinshan 2022 returns into out/;
# `make test` is what CI runs.

CARGO ?= cargo
BIN := $(or $(CARGO_TARGET_DIR),target)/release/nianbao
VENV := .venv
PY := $(VENV)/bin/python
JINSHAN := fixtures/jinshan-2022
FUZZ_SECONDS ?= 300

.PHONY: all build run test lint fmt bench fixtures fuzz clean

all: build

build:
	$(CARGO) build --release --locked

run: build
	mkdir -p out
	$(BIN) consolidate $(JINSHAN) --roster $(JINSHAN)/roster.csv --out out/汇总.xlsx --json out/report.json

test: lint
	$(CARGO) test --workspace --locked

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

fmt:
	$(CARGO) fmt --all

$(PY): scripts/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -r scripts/requirements.txt
	touch $(PY)

# Regenerates the committed fixtures (deterministic: the result must not differ from git).
fixtures: $(PY)
	$(PY) scripts/gen_fixtures.py

# Wall time (median of REPEAT runs), returns per second and peak memory for 42, 1000 and 5000
# synthetic returns; BASELINE=path/to/nianbao runs another build alternately on the same files;
# `nianbao run` on a workspace of 2000 returns, cold and re-run after one return changed.
REPEAT ?= 5
bench: build $(PY)
	$(PY) scripts/bench.py --bin $(BIN) --sizes 42,1000,5000 --repeat $(REPEAT) --cache-dir .bench \
		--incremental 2000 \
		$(if $(BASELINE),--baseline $(BASELINE))

# Fuzz the reader: every cargo-fuzz target for FUZZ_SECONDS each (installs cargo-fuzz if needed).
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) CARGO=$(CARGO) fuzz/run.sh

clean:
	$(CARGO) clean
	rm -rf out .bench
