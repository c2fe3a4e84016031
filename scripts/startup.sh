#!/usr/bin/env bash
# Measures the start-up cost of `import _ "github.com/truelimit/truelimit/limits/auto"`
# as whole processes: the hello-world variants of importcost.sh, each run in
# pairs against the plain hello-world (random order within a pair, medians
# over the pairs; scripts/startuptime). PAIRS sets the number of pairs (30).
#
#   bash scripts/startup.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
PAIRS=${PAIRS:-30}
. "$repo/scripts/variants.sh"
(cd "$repo" && go build -o "$work/bin/startuptime" ./scripts/startuptime)
bin/startuptime -n "$PAIRS" bin/hello bin/hello-truelimit bin/hello-automaxprocs bin/hello-automemlimit \
  bin/hello-automem-maxprocs
