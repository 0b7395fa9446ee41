package cost

import (
	"math"
	"testing"
)

// A small case worked by hand: one million requests of one operation.
func TestTheEstimateAddsUpByHand(t *testing.T) {
	env := Environment{Name: "x", MemoryMB: 1024, AlarmMetrics: 10, CompositeAlarms: 1, Dashboards: 1, KMSKeys: 2, EventTargets: 1,
		ContributorInsights: "ACCESSED_AND_THROTTLED_KEYS", Tracing: true, TraceRate: 0.1, AccessLogBytes: 500}
	ops := []Operation{{Name: "create", Share: 1, LambdaMillis: 100, ReadUnits: 0, WriteUnits: 4, ItemsTouched: 2, Events: 1}}
	load := Load{Requests: 1e6, ActiveUsers: 100, LogBytesPerRequest: 500, LogBytesPerEvent: 500}
	lines, err := Estimate(env, ops, load)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"API Gateway REST requests":     3.50,                                       // 1 M × 3.50
		"Lambda requests":               0.60,                                       // (1 M + 2 × 1 M events) × 0.20
		"Lambda compute (arm64)":        (100_000 + 100_000) * LambdaArmPerGBSecond, // 1 M × 0.1 s × 1 GB + 2 M × 0.05 s × 1 GB
		"DynamoDB writes":               4 * 0.7063,                                 // 4 M WRU
		"DynamoDB reads":                0,
		"DynamoDB Contributor Insights": 0.40,     // 2 M events / 100 k × 0.02
		"SNS publishes":                 0.50,     // 1 M
		"SQS requests":                  4 * 0.40, // (3 + 1 target) × 1 M
		"EventBridge custom events":     1.00,     // 1 M
		"CloudWatch alarms":             10*0.10 + 0.50,
		"CloudWatch dashboards":         3.00,
		"CloudWatch Logs ingestion":     1.5 * 0.57, // 1 M × (500 + 500 access log) + 1 M events × 500
		"X-Ray traces":                  0.50,       // 100 k × 5 / M
		"KMS keys":                      2.00,
		"Cognito Plus":                  2.00, // 100 MAU × 0.02
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d (no WAF)", len(lines), len(want))
	}
	sum := 0.0
	for _, l := range lines {
		w, ok := want[l.Item]
		if !ok || math.Abs(l.USD-w) > 1e-9 {
			t.Errorf("%s = %.6f, want %.6f", l.Item, l.USD, w)
		}
		sum += w
	}
	if math.Abs(Total(lines)-sum) > 1e-9 {
		t.Errorf("total %.6f, want %.6f", Total(lines), sum)
	}
	env.WAFRules = 4
	lines, _ = Estimate(env, ops, load)
	if waf := lines[len(lines)-1]; waf.Item != "WAF" || math.Abs(waf.USD-(5+4+0.60)) > 1e-9 {
		t.Errorf("WAF line %+v, want 5 + 4 × 1 + 0.60", waf)
	}
}

func TestAMixThatDoesNotSumToOneIsRefused(t *testing.T) {
	if _, err := Estimate(Environment{MemoryMB: 128}, []Operation{{Share: 0.5}}, Load{Requests: 1}); err == nil {
		t.Error("no error for a mix summing to 0.5")
	}
}

func TestUnitsFollowDynamoDBRounding(t *testing.T) {
	for _, tc := range []struct {
		got, want float64
	}{
		{WriteUnits(600, false), 1}, {WriteUnits(1025, false), 2}, {WriteUnits(600, true), 2},
		{ReadUnits(600, true), 1}, {ReadUnits(600, false), 0.5}, {ReadUnits(12_000, false), 1.5},
	} {
		if tc.got != tc.want {
			t.Errorf("got %v, want %v", tc.got, tc.want)
		}
	}
}

func TestTheCustomersModelCountsEachEnvironmentFromItsTemplates(t *testing.T) {
	millis := map[string]float64{"get": 10, "list": 20, "create": 30, "update": 30, "delete": 30}
	ops, err := CustomersOperations(millis)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		if op.Name == "create" && op.WriteUnits != 2+2+2 {
			t.Errorf("create = %v WRU, want 6 (transaction of two items, two index writes)", op.WriteUnits)
		}
	}
	dev, err := CustomersEnvironment("../../test/testdata", "dev")
	if err != nil {
		t.Fatal(err)
	}
	prod, err := CustomersEnvironment("../../test/testdata", "prod")
	if err != nil {
		t.Fatal(err)
	}
	// A paging composite per subsystem (api, 5 operations, data, events;
	// prod also alarms, for its e-mail DLQs) and Unhealthy over them.
	if dev.WAFRules != 0 || prod.WAFRules == 0 || dev.AlarmMetrics == 0 || dev.CompositeAlarms != 9 || prod.CompositeAlarms != 10 || dev.Dashboards != 1 || prod.MemoryMB != 512 {
		t.Errorf("dev %+v, prod %+v", dev, prod)
	}
	if dev.ContributorInsights != "ACCESSED_AND_THROTTLED_KEYS" || prod.ContributorInsights != "THROTTLED_KEYS" {
		t.Errorf("Contributor Insights: dev %q, prod %q", dev.ContributorInsights, prod.ContributorInsights)
	}
	if !prod.Tracing || prod.AccessLogBytes < 500 {
		t.Errorf("prod stage: tracing %v, access log line %v bytes", prod.Tracing, prod.AccessLogBytes)
	}
}

func TestContributorInsightsIsCountedByItsMode(t *testing.T) {
	ops := []Operation{{Name: "get", Share: 1, ItemsTouched: 3}}
	for mode, want := range map[string]float64{"ACCESSED_AND_THROTTLED_KEYS": 3e6 / 1e5 * 0.02, "THROTTLED_KEYS": 0, "": 0} {
		lines, err := Estimate(Environment{MemoryMB: 128, ContributorInsights: mode}, ops, Load{Requests: 1e6})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if l.Item == "DynamoDB Contributor Insights" && math.Abs(l.USD-want) > 1e-9 {
				t.Errorf("%q: $%.4f, want $%.4f", mode, l.USD, want)
			}
		}
	}
	if _, err := Estimate(Environment{MemoryMB: 128, ContributorInsights: "SOME_KEYS"}, ops, Load{Requests: 1}); err == nil {
		t.Error("no error for an unknown mode")
	}
}

// X-Ray's default rule: the first request of each second, then 5%.
func TestTracesFillTheReservoirThenTheRate(t *testing.T) {
	env := Environment{Tracing: true, TraceReservoirPerSecond: 1, TraceRate: 0.05}
	const month = 30 * 24 * 3600.0
	for _, tc := range []struct{ requests, want float64 }{
		{1e6, 1e6}, // under one a second: every request
		{1e7, month + 0.05*(1e7-month)},
	} {
		if got := Traces(env, tc.requests); math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("%g requests: %g traces, want %g", tc.requests, got, tc.want)
		}
	}
	if got := Traces(Environment{TraceRate: 1}, 1e6); got != 0 {
		t.Errorf("tracing off: %g traces", got)
	}
}

func TestAnAccessLogLineIsItsFormatWithTypicalValues(t *testing.T) {
	got, err := AccessLogBytes(`{"id":"$context.requestId","s":"$context.status"}`)
	if want := float64(len(`{"id":"","s":""}`) + 36 + 3 + 26); err != nil || got != want {
		t.Errorf("AccessLogBytes = %v, %v; want %v", got, err, want)
	}
	if _, err := AccessLogBytes(`{"x":"$context.somethingNew"}`); err == nil {
		t.Error("no error for an unknown variable")
	}
}
