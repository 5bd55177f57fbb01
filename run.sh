#!/usr/bin/env bash
# Run Reviewer: ./run.sh [FOLDER] [options]   (sets itself up on first use)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$(bash "$root/packaging/bootstrap.sh" heif)"
exec "$venv/bin/reviewer" "$@"
