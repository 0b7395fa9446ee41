#!/usr/bin/env bash
# The exported Go API other teams build on: every non-main, non-internal
# package under constructs/, lambdakit/, cdktest/ and localapi/ (the reusable
# constructs, the handler toolkit and the test support). stacks/ is the service's own
# wiring and is not part of it.
#
#   apicheck.sh APIDIFF check    fail on an incompatible change against api/,
#                                or on a text rendering that does not match
#                                its baseline file
#   apicheck.sh APIDIFF record   record api/ as the new baseline (after a
#                                release that may break it; say so in
#                                CHANGELOG.md)
#
# Each package's baseline is api/<path>.export, apidiff's binary export data,
# with api/<path>.txt beside it: the same API as text (scripts/apitext), so a
# review reads what a new baseline changes.
#
# apidiff prints changes but always exits 0, so any output other than its
# notes is a failure.
set -euo pipefail
apidiff=$1 mode=${2:-check}
go build ./...
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/apitext" ./scripts/apitext
packages=$(go list -f '{{if ne .Name "main"}}{{.ImportPath}}{{end}}' ./constructs/... ./lambdakit/... ./cdktest/... ./localapi/... | grep -v '/internal/')
if [ "$mode" = record ]; then
	rm -rf api && mkdir -p api
fi
failed=0
for pkg in $packages; do
	file=api/${pkg#github.com/acme/customers-api/}.export
	if [ "$mode" = record ]; then
		mkdir -p "$(dirname "$file")"
		"$apidiff" -w "$file" "$pkg"
		"$tmp/apitext" "$file" > "${file%.export}.txt"
		continue
	fi
	if [ ! -f "$file" ]; then
		echo "apicheck: $pkg has no baseline ($file); a new package is compatible, record it with make api-baseline"
		continue
	fi
	"$tmp/apitext" "$file" > "$tmp/want.txt"
	if ! diff -u --label "${file%.export}.txt" --label "rendering of $file" "${file%.export}.txt" "$tmp/want.txt"; then
		echo "apicheck: ${file%.export}.txt does not match $file; make api-baseline writes both"
		failed=1
	fi
	out=$("$apidiff" -incompatible "$file" "$pkg" 2>&1 || true)
	if [ -n "$out" ]; then
		echo "Incompatible changes to $pkg (baseline $file):"
		echo "$out"
		failed=1
	fi
done
[ "$mode" = record ] && { echo "apicheck: baseline recorded in api/"; exit 0; }
for txt in $(find api -name '*.txt'); do
	if [ ! -f "${txt%.txt}.export" ]; then
		echo "apicheck: $txt has no ${txt%.txt}.export beside it; make api-baseline writes both"
		failed=1
	fi
done
[ "$failed" = 0 ] || exit 1
echo "apicheck: no incompatible changes to the exported API"
