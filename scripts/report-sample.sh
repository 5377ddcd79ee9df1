#!/usr/bin/env bash
# Set up (see setup.sh), then write the case report of a sample bundle into report/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bundle=${1:-samples/bundles/localhost-loop.tar.gz}
.venv/bin/mailbundle report "$bundle" -o report
