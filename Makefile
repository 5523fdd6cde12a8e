# Two commands do all the set-up on a fresh Debian or Ubuntu machine:
#   make demo   build the sample show in episodes/ and serve it on http://127.0.0.1:8000/
#   make test   run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The CPU build of PyTorch; install it before openai-whisper so pip does not
# pull a multi-GB CUDA build.
TORCH ?= torch==2.13.0
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT ?= 8000
# The site is built beside the show folder, never inside it (the build refuses that).
SITE ?= ../$(notdir $(CURDIR))-site

.PHONY: demo test build serve system browser venv lint clean npm

demo: build
	$(BIN)/toolkit serve --directory $(SITE) --port $(PORT)

build: venv
	$(BIN)/toolkit models
	$(BIN)/toolkit build . -o $(SITE)

# TOOLKIT_NO_SKIPS: a skipped test (a missing tool or package) fails the run.
test: venv browser npm
	TOOLKIT_NO_SKIPS=1 $(BIN)/python -m pytest -q -rs

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# System packages: ffmpeg (decoding, probing, encoding); espeak-ng (synthetic test speech).
system:
	@command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null && command -v espeak-ng >/dev/null || \
	  ( $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg espeak-ng )

# Debian's Chromium, for the page tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null || \
	  ( $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium )

# The Node.js feed parsers the tests read our feed with (podcast-partytime), at the
# versions tests/js/package-lock.json pins.
npm: tests/js/node_modules/.installed

tests/js/node_modules/.installed: tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	touch $@

venv: system $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "$(TORCH)"
	$(BIN)/pip install -q -e ".[offline,faster,test]"
	$(BIN)/pip install -q --no-deps "resemblyzer==0.1.4"
	touch $@

clean:
	rm -rf $(SITE) .pytest_cache
