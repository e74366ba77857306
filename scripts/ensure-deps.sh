#!/usr/bin/env bash
# Installs exactly what package-lock.json pins when node_modules is missing or came from another lockfile,
# then the pinned Temporal binaries (skipped when present). Sourced by scripts/start and scripts/test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stamp=node_modules/.applyflow-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -d node_modules || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi
node scripts/install-tools.mjs
