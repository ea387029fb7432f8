# nianbao: `make run` builds the tool and consolidates the bundled Jinshan 2022 returns into out/;
# `make test` is what CI runs.

CARGO ?= cargo
# cargo's release binary, and the shipped one: the same code with its symbol table moved to
# nianbao.debug beside it (found through .gnu_debuglink: backtraces still name every function).
BUILT := $(or $(CARGO_TARGET_DIR),target)/release/nianbao
BIN := bin/nianbao
VENV := .venv
PY := $(VENV)/bin/python
JINSHAN := fixtures/jinshan-2022
FUZZ_SECONDS ?= 300

.PHONY: all build run test browser lint fmt bench fixtures fuzz clean

all: build

build:
	$(CARGO) build --release --locked
	@mkdir -p bin
	@if [ ! -f $(BIN) ] || [ $(BUILT) -nt $(BIN) ]; then \
		objcopy --only-keep-debug $(BUILT) $(BIN).debug && \
		objcopy --strip-all --add-gnu-debuglink=$(BIN).debug $(BUILT) $(BIN).tmp && \
		mv $(BIN).tmp $(BIN) && echo "$(BIN): $$(du -h $(BIN) | cut -f1) (symbols in $(BIN).debug)"; \
	fi

run: build
	mkdir -p out
	$(BIN) consolidate $(JINSHAN) --roster $(JINSHAN)/roster.csv --out out/汇总.xlsx --json out/report.json

# The server's browser test drives headless Chromium through chromedriver: installed when missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
test: lint browser
	$(CARGO) test --workspace --locked

browser:
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		($(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver)

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
	$(PY) scripts/gen_published_docx.py

# nianbao consolidate against the floor (bare-read: calamine reading every cell, crates/nianbao-bench)
# on 42, 2000 and 10,000 synthetic returns (generated once into .bench/), and at 2000 against the
# Python an office would write (scripts/peers/): median wall and CPU of REPEAT alternating runs,
# peak RSS, returns/s, the ratios; `nianbao run` on 2000 returns, cold and re-run after one return
# changed. Writes bench/results.md. BASELINE=path/to/nianbao runs another build alternately too.
REPEAT ?= 5
BENCH_SIZES ?= 42,2000,10000
BARE := $(or $(CARGO_TARGET_DIR),target)/release/bare-read
bench: build $(PY)
	$(CARGO) build --release --locked -p nianbao-bench
	$(PY) scripts/bench.py --bin $(BIN) --bare-read $(BARE) --sizes $(BENCH_SIZES) --peers-at 2000 \
		--repeat $(REPEAT) --cache-dir .bench --jobs $(shell nproc) --incremental 2000 \
		--results bench/results.md $(if $(BASELINE),--baseline $(BASELINE))

# Fuzz the reader: every cargo-fuzz target for FUZZ_SECONDS each (installs cargo-fuzz if needed).
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) CARGO=$(CARGO) fuzz/run.sh

clean:
	$(CARGO) clean
	rm -rf out .bench bin
