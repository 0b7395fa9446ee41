package handlers_test

import (
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acme/customers-api/internal/customers/contract"
	"github.com/acme/customers-api/internal/customers/handlers"
	"github.com/acme/customers-api/internal/customers/store/storetest"
	"github.com/acme/customers-api/internal/testenv"
	"github.com/acme/customers-api/lambdakit/metrics"
)

// emfDoc is an EMF document as the specification defines it.
type emfDoc struct {
	AWS struct {
		Timestamp         int64 `json:"Timestamp"`
		CloudWatchMetrics []struct {
			Namespace  string     `json:"Namespace"`
			Dimensions [][]string `json:"Dimensions"`
			Metrics    []struct {
				Name string `json:"Name"`
				Unit string `json:"Unit"`
			} `json:"Metrics"`
		} `json:"CloudWatchMetrics"`
	} `json:"_aws"`
}

func TestEachRequestEmitsSpecCompliantEMFWithLowCardinalityDimensions(t *testing.T) {
	db, table := storetest.NewTable(t, srv)
	out := &testenv.Buffer{}
	a := &api{t: t, log: &testenv.Buffer{}}
	a.h = handlers.New(handlers.Deps{
		DB: db, Table: table, Logger: slog.New(slog.NewJSONHandler(a.log, nil)),
		Metrics: metrics.New(out, contract.MetricsNamespace, map[string]string{"Service": "customers"}),
	})
	key := map[string]string{"Idempotency-Key": "k1"}
	c := a.mustCreate("A", "a@example.com")
	a.create("B", "b@example.com", key)
	a.create("B", "b@example.com", key)   // replay
	a.create("Dup", "a@example.com", nil) // conflict
	a.put(c.ID, `"1"`, `{"name":"A2","email":"a@example.com","status":"ACTIVE"}`)
	a.do(req{method: "DELETE", path: "/customers/" + c.ID})
	a.do(req{method: "GET", path: "/customers/" + c.ID}) // 404: no business metric

	var got [][]string
	for i, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var doc emfDoc
		var raw map[string]any
		if err := json.Unmarshal([]byte(line), &doc); err != nil || json.Unmarshal([]byte(line), &raw) != nil {
			t.Fatalf("line %d is not JSON: %s", i, line)
		}
		if doc.AWS.Timestamp == 0 || len(doc.AWS.CloudWatchMetrics) != 1 {
			t.Fatalf("line %d: no _aws metadata: %s", i, line)
		}
		d := doc.AWS.CloudWatchMetrics[0]
		if d.Namespace != contract.MetricsNamespace || !slices.Equal(d.Dimensions[0], []string{"Operation", "Service"}) {
			t.Errorf("line %d: namespace %q dimensions %v", i, d.Namespace, d.Dimensions)
		}
		// Every dimension and metric named in the metadata is a member of the
		// document (the spec's target members), with the right type.
		for _, dim := range d.Dimensions[0] {
			if _, ok := raw[dim].(string); !ok {
				t.Errorf("line %d: dimension %s has no string value", i, dim)
			}
		}
		var names []string
		for _, m := range d.Metrics {
			if m.Unit != "Count" {
				t.Errorf("line %d: %s unit %q", i, m.Name, m.Unit)
			}
			if _, ok := raw[m.Name].(float64); !ok {
				t.Errorf("line %d: metric %s has no number value", i, m.Name)
			}
			names = append(names, m.Name)
		}
		got = append(got, append([]string{raw["Operation"].(string)}, names...))
	}
	want := [][]string{
		{"create", "CustomersCreated", "ColdStarts"},
		{"create", "CustomersCreated"},
		{"create", "IdempotentReplays"},
		{"create", "Conflicts"},
		{"update", "CustomersUpdated"},
		{"delete", "CustomersDeleted"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EMF documents (-want +got):\n%s", diff)
	}
	if strings.Contains(out.String(), c.ID) || strings.Contains(out.String(), "example.com") {
		t.Error("metrics carry an id or an e-mail address")
	}
}
