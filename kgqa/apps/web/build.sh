#!/usr/bin/env bash
# Updates the vendored front-end libraries in static/vendor/ from the npm registry (versions pinned in
# package-lock.json): cytoscape.js for the concept map (MIT) and Swagger UI for the API docs at /docs
# (Apache-2.0). The copied files are committed and ship inside the package, so installing kgqa needs no npm;
# run this only to move to another version (change package.json, `npm install`, then this script).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v npm >/dev/null 2>&1; then
    echo "build.sh: npm is not installed; install Node.js 18+ with npm, then run $0 again" >&2
    exit 1
fi
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
vendor=static/vendor
mkdir -p "$vendor/swagger-ui"
cp node_modules/cytoscape/dist/cytoscape.min.js "$vendor/cytoscape.min.js"
cp node_modules/cytoscape/LICENSE "$vendor/cytoscape.LICENSE"
ui=node_modules/swagger-ui-dist
cp "$ui/swagger-ui-bundle.js" "$ui/swagger-ui.css" "$ui/favicon-32x32.png" "$ui/LICENSE" "$ui/NOTICE" \
   "$ui/swagger-ui-bundle.js.LICENSE.txt" "$vendor/swagger-ui/"
version() { node -p "require('./node_modules/$1/package.json').version"; }
echo "build.sh: $vendor/ <- cytoscape $(version cytoscape), swagger-ui-dist $(version swagger-ui-dist)"
