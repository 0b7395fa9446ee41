package infra_test

import (
	"testing"
	"time"

	"github.com/acme/customers-api/cdktest"
	"github.com/acme/customers-api/cdktest/alarmsim"
)

// traffic is 100 requests a minute that all succeed, except that the
// create function fails twice a minute when failing is true.
func traffic(sim *alarmsim.Simulator, failing bool) alarmsim.Source {
	return func(m alarmsim.Metric, _, _ time.Time) []alarmsim.Sample {
		switch m.Namespace + "/" + m.Name {
		case "AWS/ApiGateway/Count":
			return []alarmsim.Sample{{Value: 1, Count: 100}}
		case "AWS/ApiGateway/Latency", "AWS/Lambda/Duration":
			return []alarmsim.Sample{{Value: 50, Count: 100}}
		case "AWS/Lambda/Errors":
			fn, _ := sim.Dimension(m, "FunctionName")
			if failing && fn.Properties["Description"] == "orders-dev: POST /orders" {
				return []alarmsim.Sample{{Value: 1, Count: 2}, {Value: 0, Count: 98}}
			}
		}
		return []alarmsim.Sample{{Value: 0, Count: 100}}
	}
}

// The alarms the construct gives another team's stack are simulated from
// the synthesized template: quiet while healthy, paging when a function
// fails.
func TestTheAlarmsPageWhenAFunctionFailsAndNotBefore(t *testing.T) {
	sim, err := alarmsim.New(map[string][]byte{"Orders-dev": cdktest.Template(newStack(t).Stack)})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for failing, want := range map[bool]alarmsim.State{false: alarmsim.OK, true: alarmsim.Alarm} {
		run, err := sim.Run(traffic(sim, failing), start, start.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for _, alarm := range []string{"orders-dev-createErrors", "orders-dev-create-unhealthy", "orders-dev-unhealthy"} {
			if got := run.StateAt(alarm, start.Add(time.Hour)); got != want {
				t.Errorf("create failing: %v; %s is %s, want %s", failing, alarm, got, want)
			}
		}
	}
}
