#!/usr/bin/env bash
# Vendor Apache ECharts for the web dashboard from the npm registry (build time, never a CDN):
#   echarts@5  dist/echarts.min.js                 -> src/ecozone/web/static/vendor/echarts.min.js
#   echarts@4  map/json/province/hebei.json        -> src/ecozone/web/static/vendor/hebei.json
# Both Apache-2.0 (LICENSE copied beside them; see vendor/README.md).  Skips what is present.
set -euo pipefail
cd "$(dirname "$0")/.."
VENDOR=src/ecozone/web/static/vendor
mkdir -p "$VENDOR"
if [ -s "$VENDOR/echarts.min.js" ] && [ -s "$VENDOR/hebei.json" ] && [ -s "$VENDOR/LICENSE-echarts" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent echarts@5 echarts@4 >/dev/null)
V5=$(ls "$TMP"/echarts-5.*.tgz | head -1)
V4=$(ls "$TMP"/echarts-4.*.tgz | head -1)
mkdir -p "$TMP/v5" "$TMP/v4"
tar xzf "$V5" -C "$TMP/v5" package/dist/echarts.min.js package/LICENSE
tar xzf "$V4" -C "$TMP/v4" package/map/json/province/hebei.json
cp "$TMP/v5/package/dist/echarts.min.js" "$VENDOR/echarts.min.js"
cp "$TMP/v4/package/map/json/province/hebei.json" "$VENDOR/hebei.json"
cp "$TMP/v5/package/LICENSE" "$VENDOR/LICENSE-echarts"
printf '%s\n%s\n' "$(basename "$V5" .tgz)" "$(basename "$V4" .tgz)" > "$VENDOR/VERSIONS"
