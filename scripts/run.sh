#!/usr/bin/env bash
# Install (registry packages only, no model downloads) and start the main job:
# build the index from corpus/ if needed, then answer the demo questions.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/rag demo "$@"
