#!/usr/bin/env bash
# Builds Loom and runs every test (lit suite, unit and integration tests)
# through one ctest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ctest --test-dir "$LOOM_BUILD" --output-on-failure -j2
