// Command smoke-check is the customers API's pre-traffic hook: it sends the
// new version of one operation's function a request that changes nothing
// and expects the documented answer (see internal/customers/smoke).
package main

import (
	"log/slog"
	"os"

	"github.com/acme/customers-api/internal/customers/contract"
	"github.com/acme/customers-api/internal/customers/smoke"
	"github.com/acme/customers-api/lambdakit/envvars"
	"github.com/acme/customers-api/lambdakit/smokecheck"
)

func main() {
	op := os.Getenv(envvars.SmokeOperation)
	check, ok := smoke.Checks[contract.OperationName(op)]
	if !ok {
		slog.Error("start-up failed: no smoke check for this operation", "operation", op)
		os.Exit(1)
	}
	smokecheck.Main(check)
}
