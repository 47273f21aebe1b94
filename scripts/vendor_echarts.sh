#!/usr/bin/env bash
# Vendor Apache ECharts for the web dashboard from the npm registry (build time, never a CDN):
#   echarts@5  dist/echarts.min.js                 -> src/ecozone/web/static/vendor/echarts.min.js
#   echarts@4  map/json/province/hebei.json        -> src/ecozone/web/static/vendor/hebei.json
#   swagger-ui-dist@5  swagger-ui-bundle.js, swagger-ui.css (the API docs page at /docs)
# All Apache-2.0 (licences copied beside them; see vendor/README.md).  Skips what is present.
set -euo pipefail
cd "$(dirname "$0")/.."
VENDOR=src/ecozone/web/static/vendor
mkdir -p "$VENDOR"
if [ -s "$VENDOR/echarts.min.js" ] && [ -s "$VENDOR/hebei.json" ] && [ -s "$VENDOR/LICENSE-echarts" ] \
   && [ -s "$VENDOR/swagger-ui-bundle.js" ] && [ -s "$VENDOR/swagger-ui.css" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent echarts@5 echarts@4 swagger-ui-dist@5 >/dev/null)
V5=$(ls "$TMP"/echarts-5.*.tgz | head -1)
V4=$(ls "$TMP"/echarts-4.*.tgz | head -1)
SW=$(ls "$TMP"/swagger-ui-dist-5.*.tgz | head -1)
mkdir -p "$TMP/v5" "$TMP/v4" "$TMP/sw"
tar xzf "$SW" -C "$TMP/sw" package/swagger-ui-bundle.js package/swagger-ui.css package/LICENSE
tar xzf "$V5" -C "$TMP/v5" package/dist/echarts.min.js package/LICENSE
tar xzf "$V4" -C "$TMP/v4" package/map/json/province/hebei.json
cp "$TMP/v5/package/dist/echarts.min.js" "$VENDOR/echarts.min.js"
cp "$TMP/v4/package/map/json/province/hebei.json" "$VENDOR/hebei.json"
cp "$TMP/v5/package/LICENSE" "$VENDOR/LICENSE-echarts"
cp "$TMP/sw/package/swagger-ui-bundle.js" "$TMP/sw/package/swagger-ui.css" "$VENDOR/"
cp "$TMP/sw/package/LICENSE" "$VENDOR/LICENSE-swagger-ui"
printf '%s\n' "$(basename "$V5" .tgz)" "$(basename "$V4" .tgz)" "$(basename "$SW" .tgz)" > "$VENDOR/VERSIONS"
