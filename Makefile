# The README's commands. Everything runs from the project's own virtualenv (.venv).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-fast test-e2e bench loadtest eval train train-matching train-crossencoder lint lint-imports install install-embeddings migrate demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

## make run: set up everything and serve the desk on http://127.0.0.1:8000
run: demo
	$(BIN)/python manage.py rundesk

## make test: the import contracts, then the whole suite (SQLite + embedded Redis unless
# DATABASE_URL / REDIS_URL are set)
test: install $(if $(CI),install-embeddings) lint-imports
	$(BIN)/python -m playwright --version >/dev/null
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -m "not e2e" $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

## make loadtest: 50 editors for 60 s against gunicorn + PostgreSQL + Redis + a Celery worker
loadtest: install
	$(BIN)/pip install --quiet -e ".[test,load]"
	$(BIN)/python -m loadtest $(LOADTEST_ARGS)

## make eval: claim assistance measured on benchmarks/eval: check-worthiness on CLEF-2019
# (leave one document out, from ../shared/data) and on the news texts, matching, speed
eval: install
	$(BIN)/python -m benchmarks.eval $(EVAL_ARGS)

## make train: rebuild the check-worthiness model (claims/assist/checkworthy/model.json) from
# ../shared/data/checkworthy; the same data gives the same file (TRAIN_ARGS=--data DIR)
train: install
	$(BIN)/python -m benchmarks.checkworthy_train $(TRAIN_ARGS)

## make train-matching: rebuild claim matching's re-ranker (claims/factchecks/reranker.json) and,
# with the [embeddings] extra, its fine-tuned encoder (var/factcheck-encoder, about 90 MB, not
# committed; about 25 minutes on one CPU thread) from the CLEF-2020 training split in
# ../shared/data/claim-retrieval (never the development one); the same data gives the same
# files (TRAIN_ARGS=--data DIR, --keep-encoder to reuse the encoder already built)
train-matching: install
	$(BIN)/python -m benchmarks.matching_train $(TRAIN_ARGS)

## make train-crossencoder: with the [embeddings] extra, build claim matching's cross-encoder
# stage (var/factcheck-crossencoder, about 90 MB, not committed): all-MiniLM-L6-v2 fine-tuned
# to read a claim and a fact-check together, and how its score joins the re-ranker's, from
# the CLEF-2020 training split only; about 45 minutes on one CPU thread (three fine-tunings:
# two out-of-fold, one to ship), fixed seeds (TRAIN_ARGS=--data DIR). Restart the desk after.
train-crossencoder: install
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m benchmarks.matching_crossencoder $(TRAIN_ARGS)

## make install-embeddings: the optional sentence-embedding backend (about 1.4 GB; CI installs it).
# torch first and pinned, so pip takes the CPU wheel instead of a multi-GB CUDA build.
EMBED_STAMP := $(VENV)/.installed-embeddings
$(EMBED_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[test,embeddings]"
	touch $(EMBED_STAMP)

install-embeddings: $(EMBED_STAMP)

lint: install lint-imports
	$(BIN)/ruff check .

## make lint-imports: the import contracts ([tool.importlinter] in pyproject.toml): the layers
# only point down, the fetching, assistance and exporters never import the pages, no cycles
lint-imports: install
	$(BIN)/lint-imports --no-cache --no-logo

clean:
	rm -rf $(VENV) var staticfiles test-artifacts
