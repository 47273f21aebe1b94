#!/usr/bin/env bash
# The main job on the embedded default: install, load the bundled data into the local DuckDB
# file (ECOZONE_DB or ~/.local/share/ecozone/ecozone.duckdb), print the provincial scorecard,
# and serve the dashboard and the REST API on the bundled data (Ctrl+C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ecozone db load
.venv/bin/ecozone plans
# the scorecard: every binding provincial target with its status and reason
.venv/bin/ecozone track --region 河北省 --kind binding
# the dashboard: http://127.0.0.1:${ECOZONE_PORT:-8000}/ (the URL is printed); API docs at /docs
exec .venv/bin/ecozone serve --host "${ECOZONE_HOST:-127.0.0.1}" --port "${ECOZONE_PORT:-8000}"
