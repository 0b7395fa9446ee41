#!/usr/bin/env bash
# Runs every fuzz target for the given time each (go test runs one target
# per call). `make test` gives each a few seconds, `make fuzz` longer. A
# failing input is written under the package's testdata/fuzz/ by go test:
# commit it with the fix, and it stays a regression test.
set -euo pipefail
time=${1:-5s} # a duration (60s) or a number of inputs (2000x)
targets=(
	"./internal/customers FuzzDecodeCreate"
	"./internal/customers/handlers FuzzCursor"
	"./internal/customers/handlers FuzzCreate"
	"./internal/customers/changes FuzzMap"
	"./functions/httpx FuzzETagMatching"
	"./functions/httpx FuzzProblemRendering"
)
# go test's fuzzing coordinator can give up with "context deadline
# exceeded" when a worker starts slowly on a busy machine (no input failed,
# none is written): such a run is tried once more. A failing input is never
# retried.
fuzz() {
	go test "$1" -run '^$' -fuzz "^$2\$" -fuzztime "$time" 2>&1 | grep -v '^fuzz: elapsed'
}
for t in "${targets[@]}"; do
	set -- $t
	echo "fuzz $2 ($1) for $time"
	if ! out=$(fuzz "$1" "$2"); then
		if grep -q 'context deadline exceeded' <<<"$out" && ! grep -q 'Failing input written' <<<"$out"; then
			echo "$out"
			echo "fuzz $2: the fuzzing engine timed out starting; running it again"
			out=$(fuzz "$1" "$2") || { echo "$out"; exit 1; }
		else
			echo "$out"
			exit 1
		fi
	fi
	echo "$out"
done
