# Two commands on a fresh machine: `make demo` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEMO   ?= demo-workspace

.PHONY: setup system demo gallery test lint bench clean catalogs

setup: $(STAMP)

# System packages: libfribidi for right-to-left text shaping (Pillow's raqm layout); libgs-common for
# a CMYK ICC profile (Ghostscript's) that the billboard tests convert to; ExifTool for the press
# images' IPTC/XMP; Chromium, in which the tests open the website gallery.
SYSTEM_PACKAGES := libfribidi0 libgs-common libimage-exiftool-perl chromium
system:
	@dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || { \
	  echo "installing $(SYSTEM_PACKAGES)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(SYSTEM_PACKAGES); }

$(STAMP): setup.cfg pyproject.toml | system
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,bench]'
	touch $(STAMP)

demo: setup
	$(PY) -m campaign.cli.demo $(DEMO)

gallery: setup
	$(PY) -m campaign.cli.demo --gallery gallery

# ruff and mypy first (seconds), then the tests. `make lint` alone while working; `pytest -m "not slow"`
# for a quick loop without the subprocess, kill, daemon and browser tests.
test: lint
	$(PY) -m pytest -q -p no:cacheprovider

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# Every gettext domain with a babel-<domain>.cfg: extract the marked strings, merge them into the de
# and en catalogs (English: msgstr = msgid; a catalog whose messages did not change keeps its header date),
# compile the .mo files that ship in the package. Click's
# own texts (domain `click`) are translated by hand and only compiled.
LOCALES := campaign/locale
LANGS   := de en
catalogs: setup
	@set -e; for cfg in babel-*.cfg; do \
	  domain=$${cfg#babel-}; domain=$${domain%.cfg}; \
	  $(VENV)/bin/pybabel extract -F $$cfg --sort-output --no-location -o $(LOCALES)/$$domain.pot . >/dev/null; \
	  for lang in $(LANGS); do \
	    if [ -f $(LOCALES)/$$lang/LC_MESSAGES/$$domain.po ]; then \
	      cp $(LOCALES)/$$lang/LC_MESSAGES/$$domain.po $(LOCALES)/$$lang/LC_MESSAGES/$$domain.po.before; \
	      $(VENV)/bin/pybabel update --no-fuzzy-matching -D $$domain -l $$lang -d $(LOCALES) -i $(LOCALES)/$$domain.pot >/dev/null; \
	    else \
	      $(VENV)/bin/pybabel init -D $$domain -l $$lang -d $(LOCALES) -i $(LOCALES)/$$domain.pot >/dev/null; \
	    fi; \
	  done; \
	  $(PY) -m campaign.workspace.babel_extract finish $(LOCALES)/*/LC_MESSAGES/$$domain.po; \
	  rm $(LOCALES)/$$domain.pot; \
	done
	$(VENV)/bin/pybabel compile --statistics -d $(LOCALES) -D "$$(ls babel-*.cfg | sed 's/babel-//; s/.cfg//' | tr '\n' ' ') click"

bench: setup
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) $(DEMO) gallery *.egg-info
