#!/usr/bin/env bash
# Runs every fuzz target for the given time each (go test runs one target
# per call). `make test` gives each a few seconds, `make fuzz` longer. A
# failing input is written under the package's testdata/fuzz/ by go test:
# commit it with the fix, and it stays a regression test.
#
#   fuzz.sh TIME [skip-unchanged]
#
# With skip-unchanged (make test), a target that passed on this machine
# with the same TIME, the same compiled code (the build ID of every package
# its test binary holds) and the same corpus is not fuzzed again, as go test
# reuses a passing test's result; it says so. make fuzz always fuzzes.
set -euo pipefail
time=${1:-5s} # a duration (60s) or a number of inputs (2000x)
skip_unchanged=${2:-}
passed=.tools/fuzz-passed # one empty file per passing run, named by its key
targets=(
	"./internal/customers FuzzDecodeCreate"
	"./internal/customers/handlers FuzzCursor"
	"./internal/customers/handlers FuzzCreate"
	"./internal/customers/changes FuzzMap"
	"./lambdakit/httpx FuzzPreconditions"
	"./lambdakit/httpx FuzzProblemRendering"
	"./lambdakit/validate FuzzDecodeIsLossless"
)
# go test's fuzzing coordinator can give up with "context deadline
# exceeded" when a worker starts slowly on a busy machine (no input failed,
# none is written): such a run is tried once more. A failing input is never
# retried.
fuzz() {
	go test "$1" -run '^$' -fuzz "^$2\$" -fuzztime "$time" 2>&1 | grep -v '^fuzz: elapsed'
}
# key names a run of target $2 in package $1: the fuzz time, the build ID of
# every package in the test binary (Go changes one whenever its code or a
# dependency's does) and the corpus.
key() {
	{
		echo "$time $1 $2"
		go list -test -deps -export -f '{{.ImportPath}} {{.BuildID}}' "$1"
		if [ -d "$1/testdata/fuzz/$2" ]; then
			find "$1/testdata/fuzz/$2" -type f -exec sha256sum {} + | sort
		fi
	} | sha256sum | cut -d' ' -f1
}
for t in "${targets[@]}"; do
	set -- $t
	stamp=
	if [ "$skip_unchanged" = skip-unchanged ]; then
		stamp=$passed/$(key "$1" "$2")
		if [ -e "$stamp" ]; then
			echo "fuzz $2 ($1): unchanged since it passed $time on this machine; not fuzzed again (make fuzz fuzzes longer)"
			continue
		fi
	fi
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
	if [ -n "$stamp" ]; then
		mkdir -p "$passed" && touch "$stamp"
	fi
done
