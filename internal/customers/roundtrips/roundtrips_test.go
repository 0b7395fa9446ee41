package roundtrips_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/acme/customers-api/internal/customers/contract"
	"github.com/acme/customers-api/internal/customers/roundtrips"
	"github.com/acme/customers-api/internal/testenv/moto"
)

var srv *moto.Server

func TestMain(m *testing.M) { moto.TestMain(m, &srv) }

var measure struct {
	once    sync.Once
	results []roundtrips.Result
	err     error
}

// measured is roundtrips.Measure's results, measured once for every test.
func measured(t *testing.T) []roundtrips.Result {
	t.Helper()
	measure.once.Do(func() { measure.results, measure.err = roundtrips.Measure(context.Background(), srv) })
	if measure.err != nil {
		t.Fatal(measure.err)
	}
	return measure.results
}

// expected is testdata/expected.json: each scenario's committed round
// trips, in sequence and in all.
type expected map[string]struct{ Sequential, Total int }

// No operation makes more DynamoDB calls than committed; one that makes
// fewer must have its figure lowered, so the file stays the measurement.
func TestNoOperationMakesMoreDynamoDBCallsThanCommitted(t *testing.T) {
	raw, err := os.ReadFile("testdata/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var want expected
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	results := measured(t)
	if len(results) != len(want) {
		t.Errorf("%d scenarios measured, %d committed in testdata/expected.json", len(results), len(want))
	}
	for _, r := range results {
		w, ok := want[r.Name]
		switch {
		case !ok:
			t.Errorf("%s: no committed count in testdata/expected.json (measured %d in sequence, %d in all)", r.Name, r.Sequential, r.Total)
		case r.Sequential > w.Sequential || r.Total > w.Total:
			t.Errorf("%s: %d DynamoDB calls in sequence, %d in all (%v); committed %d and %d", r.Name, r.Sequential, r.Total, r.Operations, w.Sequential, w.Total)
		case r.Sequential < w.Sequential || r.Total < w.Total:
			t.Errorf("%s: %d in sequence, %d in all, fewer than the committed %d and %d: lower them in testdata/expected.json", r.Name, r.Sequential, r.Total, w.Sequential, w.Total)
		}
		if r.Sequential < r.Minimum {
			t.Errorf("%s: %d round trips, below the stated minimum %d: the minimum or its reason is wrong", r.Name, r.Sequential, r.Minimum)
		}
	}
}

// Every DynamoDB call an operation makes on its measured paths is one its
// function is granted by contract.Operations (the IAM action of each item,
// on an item whose partition key has one of the granted prefixes, or a
// Query on a granted index), and every operation has a measured path: a
// handler that starts making a call its function may not make fails here
// rather than with AccessDenied after a deploy.
func TestEveryCallIsOneItsOperationsTableAccessGrants(t *testing.T) {
	ops := map[contract.OperationName]contract.Operation{}
	for _, op := range contract.Operations {
		ops[op.Name] = op
	}
	measuredOps := map[contract.OperationName]bool{}
	for _, r := range measured(t) {
		op, ok := ops[r.Operation]
		if !ok {
			t.Errorf("%s: operation %q is not in the contract", r.Name, r.Operation)
			continue
		}
		measuredOps[op.Name] = true
		if len(r.Requests) == 0 {
			t.Errorf("%s: no request recorded", r.Name)
		}
		for _, req := range r.Requests {
			if !granted(op.Table, req.Action, req.PartitionKey, req.Index) {
				t.Errorf("%s: %s on partition key %q, index %q is not granted to %s (%+v)", r.Name, req.Action, req.PartitionKey, req.Index, op.Name, op.Table)
			}
		}
	}
	for _, op := range contract.Operations {
		if !measuredOps[op.Name] {
			t.Errorf("operation %s has no measured scenario", op.Name)
		}
	}
}

// granted reports whether access allows action on the item with the given
// partition key, or, with an index, on that index: the statements
// resourceapi builds from it (table actions under a dynamodb:LeadingKeys
// condition of the prefixes, index actions on the named indexes).
func granted(access contract.TableAccess, action, partitionKey, index string) bool {
	if index != "" {
		return slices.Contains(access.IndexActions, action) && slices.Contains(access.Indexes, index)
	}
	return slices.Contains(access.Actions, action) && partitionKey != "" &&
		slices.ContainsFunc(access.KeyPrefixes, func(p string) bool { return strings.HasPrefix(partitionKey, p) })
}
