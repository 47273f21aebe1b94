#!/usr/bin/env bash
# The main job on the embedded default: install, load the bundled data into the local DuckDB
# file (ECOZONE_DB or ~/.local/share/ecozone/ecozone.duckdb), and print the provincial scorecard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ecozone db load
.venv/bin/ecozone plans
# the scorecard: every binding provincial target with its status and reason
.venv/bin/ecozone track --region 河北省 --kind binding
