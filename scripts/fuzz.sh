#!/usr/bin/env bash
# Runs every fuzz target for the given time each (go test runs one target
# per call). `make test` gives each a few seconds, `make fuzz` longer. A
# failing input is written under the package's testdata/fuzz/ by go test:
# commit it with the fix, and it stays a regression test.
set -euo pipefail
time=${1:-5s}
targets=(
	"./internal/customers FuzzDecodeCreate"
	"./internal/customers/handlers FuzzCursor"
	"./internal/customers/handlers FuzzCreate"
	"./internal/customers/changes FuzzMap"
	"./functions/httpx FuzzETagMatching"
	"./functions/httpx FuzzProblemRendering"
)
for t in "${targets[@]}"; do
	set -- $t
	echo "fuzz $2 ($1) for $time"
	go test "$1" -run '^$' -fuzz "^$2\$" -fuzztime "$time" 2>&1 | grep -v '^fuzz: elapsed'
done
