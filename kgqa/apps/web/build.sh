#!/usr/bin/env bash
# Vendors the graph library of the concept-map page from the npm registry (pinned in package-lock.json)
# into static/vendor/, so the page works offline. The copied file is built output: it is in .gitignore.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v npm >/dev/null 2>&1; then
    echo "build.sh: npm is not installed; install Node.js 18+ with npm, then run $0 again" >&2
    exit 1
fi
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
mkdir -p static/vendor
cp node_modules/cytoscape/dist/cytoscape.min.js static/vendor/cytoscape.min.js
echo "build.sh: static/vendor/cytoscape.min.js <- cytoscape $(node -p "require('./node_modules/cytoscape/package.json').version")"
