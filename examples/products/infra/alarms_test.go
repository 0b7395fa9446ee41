package infra_test

import (
	"slices"
	"testing"
	"time"

	"github.com/acme/customers-api/cdktest/alarmsim"
)

// service is a minute of the products API: 60 requests, 40 ms each, and
// every function succeeds except the one described as failing, whose
// invocations fail one in ten.
func service(sim *alarmsim.Simulator, failing string) alarmsim.Source {
	return func(m alarmsim.Metric, _, _ time.Time) []alarmsim.Sample {
		switch m.Namespace + "/" + m.Name {
		case "AWS/ApiGateway/Count":
			return []alarmsim.Sample{{Value: 1, Count: 60}}
		case "AWS/ApiGateway/Latency", "AWS/Lambda/Duration":
			return []alarmsim.Sample{{Value: 40, Count: 60}}
		case "AWS/Lambda/Errors":
			if fn, ok := sim.Dimension(m, "FunctionName"); ok && failing != "" && fn.Properties["Description"] == failing {
				return []alarmsim.Sample{{Value: 1, Count: 6}, {Value: 0, Count: 54}}
			}
		}
		return []alarmsim.Sample{{Value: 0, Count: 60}}
	}
}

// pages are the alarms that ran an action on entering ALARM: who was
// paged.
func pages(run *alarmsim.Run) []string {
	var out []string
	for _, tr := range run.Transitions {
		if tr.To == alarmsim.Alarm && len(tr.Actions) > 0 && !slices.Contains(out, tr.Alarm) {
			out = append(out, tr.Alarm)
		}
	}
	slices.Sort(out)
	return out
}

// The alarms resourceapi gives the products stack, simulated from its
// template: an hour of healthy traffic pages nobody, and a failing
// function pages its own operation's on-call alarm and no other.
func TestAFailingOperationPagesItsOwnAlarmAndAHealthyHourNone(t *testing.T) {
	sim, err := alarmsim.New(map[string][]byte{"Products-dev": template})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		failing string
		want    []string
	}{
		{"", nil},
		{"products-dev: POST /products", []string{"products-dev-create-unhealthy"}},
		{"products-dev: GET /products/{sku}", []string{"products-dev-get-unhealthy"}},
	} {
		run, err := sim.Run(service(sim, tc.failing), start, start.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if got := pages(run); !slices.Equal(got, tc.want) {
			t.Errorf("failing %q: paged %v, want %v", tc.failing, got, tc.want)
		}
	}
}
