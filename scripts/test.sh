#!/usr/bin/env bash
# The project's test command: start the services the tests need, then run every test.
#   scripts/test.sh                 # as a developer (a missing service skips its tests)
#   EMP_REQUIRE_SERVICES=1 scripts/test.sh   # as CI (a missing service fails the run)
set -euo pipefail
cd "$(dirname "$0")/.."

# The setup script is idempotent; its `export` lines say where each service listens.
eval "$(scripts/setup-services.sh | grep '^export ' || true)"

profile=default
[ "${CI:-}" = "true" ] && profile=ci
cargo nextest run --workspace --profile "$profile" "$@"
# nextest does not run doctests; the crate docs' examples are tests too.
cargo test --workspace --doc --quiet
