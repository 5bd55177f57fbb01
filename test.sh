#!/usr/bin/env bash
# Run the whole test suite (pytest): ./test.sh [pytest args]   (sets itself up on first use)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$(bash "$root/packaging/bootstrap.sh" test)"
cd "$root"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
exec "$venv/bin/python" -m pytest "$@"
