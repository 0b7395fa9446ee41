package roundtrips_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/acme/customers-api/internal/customers/roundtrips"
	"github.com/acme/customers-api/internal/testenv/moto"
)

var srv *moto.Server

func TestMain(m *testing.M) { moto.TestMain(m, &srv) }

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
	results, err := roundtrips.Measure(context.Background(), srv)
	if err != nil {
		t.Fatal(err)
	}
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
