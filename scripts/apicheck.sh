#!/usr/bin/env bash
# Fails when the module's exported Go API has an incompatible change against
# the committed baseline api/customers-api.export (apidiff prints the change
# but always exits 0, so any output other than its notes is a failure).
# After a release that is allowed to break the API, record a new baseline
# with `make api-baseline` and say so in CHANGELOG.md.
set -euo pipefail
apidiff=$1
go build ./...
out=$("$apidiff" -m -incompatible api/customers-api.export github.com/acme/customers-api 2>&1 | grep -v '^Ignoring internal package' || true)
if [ -n "$out" ]; then
	echo "Incompatible changes to the exported API (baseline api/customers-api.export):"
	echo "$out"
	exit 1
fi
echo "apicheck: no incompatible changes to the exported API"
