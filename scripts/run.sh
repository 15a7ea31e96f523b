#!/usr/bin/env bash
# Install (registry packages only, no model downloads), build the index from
# corpus/ if needed, and open the chat page at the printed URL.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
.venv/bin/rag index
exec .venv/bin/streamlit run app.py --server.address "${RAG_HOST:-127.0.0.1}" --server.port "${RAG_PORT:-8501}" "$@"
