package alarmsim

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// stack is a template with the given resources (logical id -> resource).
func stack(t *testing.T, resources map[string]any, outputs ...map[string]any) []byte {
	t.Helper()
	doc := map[string]any{"Resources": resources}
	if len(outputs) > 0 {
		doc["Outputs"] = outputs[0]
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func alarm(props map[string]any) map[string]any {
	p := map[string]any{
		"AlarmName": "a", "Namespace": "NS", "MetricName": "M", "Statistic": "Maximum", "Period": 60.0,
		"ComparisonOperator": "GreaterThanOrEqualToThreshold", "Threshold": 1.0, "EvaluationPeriods": 3.0, "DatapointsToAlarm": 3.0,
	}
	for k, v := range props {
		if v == nil {
			delete(p, k)
		} else {
			p[k] = v
		}
	}
	return map[string]any{"Type": "AWS::CloudWatch::Alarm", "Properties": p}
}

func newSim(t *testing.T, resources map[string]any) *Simulator {
	t.Helper()
	s, err := New(map[string][]byte{"S": stack(t, resources)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// t0 is a minute boundary; datapoint i of a pattern covers minute i.
var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// pattern is a Source for metric "M" from a row of the user guide's
// tables, oldest first: "X" breaching (value 5), "0" not breaching, "-"
// missing.
func pattern(row string) Source {
	points := strings.Fields(row)
	return func(m Metric, from, to time.Time) []Sample {
		i := int(from.Sub(t0) / time.Minute)
		if m.Name != "M" || i < 0 || i >= len(points) {
			return nil
		}
		switch points[i] {
		case "X":
			return []Sample{{5, 1}}
		case "0":
			return []Sample{{0, 1}}
		}
		return nil
	}
}

// The worked example of "Configuring how CloudWatch alarms treat missing
// data": 3 evaluation periods, 3 datapoints to alarm, 5 datapoints in the
// evaluation range; "keep" is the current state retained.
func TestMissingDataFollowsTheUserGuideExample(t *testing.T) {
	rows := []struct {
		points                                string
		missing, ignore, breaching, notBreach State
	}{
		{"0 - X - X", OK, OK, OK, OK},
		{"- - - - 0", OK, OK, OK, OK},
		{"- - - - -", InsufficientData, "keep", Alarm, OK},
		{"0 X X - X", Alarm, Alarm, Alarm, Alarm},
		{"- - X - -", Alarm, "keep", Alarm, OK},
	}
	for _, row := range rows {
		for treat, want := range map[string]State{"missing": row.missing, "ignore": row.ignore, "breaching": row.breaching, "notBreaching": row.notBreach} {
			a := newSim(t, map[string]any{"A": alarm(map[string]any{"TreatMissingData": treat})}).Alarm("a")
			for _, current := range []State{OK, Alarm} {
				got, err := a.evaluate(pattern(row.points), t0.Add(5*time.Minute), current)
				if err != nil {
					t.Fatal(err)
				}
				expect := want
				if want == "keep" {
					expect = current
				}
				if got != expect {
					t.Errorf("%q, %s, from %s: got %s, want %s", row.points, treat, current, got, expect)
				}
			}
		}
	}
}

func TestMOutOfNNeedsDatapointsToAlarmBreachesAmongTheEvaluationPeriods(t *testing.T) {
	a := newSim(t, map[string]any{"A": alarm(map[string]any{"EvaluationPeriods": 5.0, "DatapointsToAlarm": 3.0})}).Alarm("a")
	for points, want := range map[string]State{
		"0 0 X 0 X 0 X": Alarm, // 3 of the last 5
		"0 0 X 0 X 0 0": OK,    // 2 of the last 5
		"X X X 0 0 0 0": OK,    // 3 breaches, but older than the last 5
		"0 0 X X X X X": Alarm,
	} {
		if got, _ := a.evaluate(pattern(points), t0.Add(7*time.Minute), OK); got != want {
			t.Errorf("%q: got %s, want %s", points, got, want)
		}
	}
}

func TestComparisonOperatorsAndThresholds(t *testing.T) {
	for op, want := range map[string][3]bool{ // value 0, 1 (= threshold), 5
		"GreaterThanOrEqualToThreshold": {false, true, true},
		"GreaterThanThreshold":          {false, false, true},
		"LessThanThreshold":             {true, false, false},
		"LessThanOrEqualToThreshold":    {true, true, false},
	} {
		a := newSim(t, map[string]any{"A": alarm(map[string]any{"ComparisonOperator": op, "EvaluationPeriods": 1.0, "DatapointsToAlarm": 1.0})}).Alarm("a")
		for i, v := range []float64{0, 1, 5} {
			src := func(Metric, time.Time, time.Time) []Sample { return []Sample{{v, 1}} }
			got, _ := a.evaluate(src, t0, OK)
			if (got == Alarm) != want[i] {
				t.Errorf("%s with value %v: got %s", op, v, got)
			}
		}
	}
}

func TestStatistics(t *testing.T) {
	var samples []Sample
	for v := 1; v <= 100; v++ {
		samples = append(samples, Sample{float64(v), 1})
	}
	weighted := []Sample{{10, 90}, {500, 9}, {3000, 1}}
	for _, c := range []struct {
		stat    string
		samples []Sample
		want    float64
	}{
		{"Sum", samples, 5050}, {"SampleCount", samples, 100}, {"Average", samples, 50.5},
		{"Minimum", samples, 1}, {"Maximum", samples, 100},
		{"p50", samples, 50}, {"p99", samples, 99}, {"p99.5", samples, 100}, {"p100", samples, 100},
		{"p90", weighted, 10}, {"p91", weighted, 500}, {"p99", weighted, 500}, {"p99.9", weighted, 3000},
		{"Sum", weighted, 900 + 4500 + 3000},
	} {
		got, err := statistic(c.stat, c.samples)
		if err != nil || got != c.want {
			t.Errorf("%s: got %v, %v; want %v", c.stat, got, err, c.want)
		}
	}
	for _, bad := range []string{"tm99", "IQM", "p0", "p101", "pXX", ""} {
		if _, err := statistic(bad, nil); err == nil {
			t.Errorf("statistic %q was accepted", bad)
		}
	}
}

// mathAlarm is the 5XX-rate alarm shape: errors and requests summed per
// period, combined by an expression.
func mathAlarm(expression string) map[string]any {
	stat := func(id, name string) map[string]any {
		return map[string]any{"Id": id, "ReturnData": false, "MetricStat": map[string]any{
			"Metric": map[string]any{"Namespace": "AWS/ApiGateway", "MetricName": name}, "Period": 300.0, "Stat": "Sum"}}
	}
	return alarm(map[string]any{"Namespace": nil, "MetricName": nil, "Statistic": nil, "Period": nil,
		"EvaluationPeriods": 1.0, "DatapointsToAlarm": 1.0, "Threshold": 1.0,
		"Metrics": []any{map[string]any{"Id": "rate", "Expression": expression}, stat("errors", "5XXError"), stat("requests", "Count")}})
}

func TestMetricMath(t *testing.T) {
	const rate = "IF(requests > 0, 100 * errors / requests, 0)"
	traffic := func(requests, errors float64) Source {
		return func(m Metric, _, _ time.Time) []Sample {
			if requests < 0 {
				return nil
			}
			if m.Name == "Count" {
				return []Sample{{1, requests}}
			}
			return []Sample{{1, errors}, {0, requests - errors}}
		}
	}
	for _, c := range []struct {
		expression       string
		requests, errors float64
		want             State
	}{
		{rate, 1000, 20, Alarm},         // 2% >= 1%
		{rate, 1000, 5, OK},             // 0.5%
		{rate, -1, 0, InsufficientData}, // no traffic: every datapoint missing
		{"errors / requests * 100 >= 1", 1000, 10, Alarm},
		{"-errors + 2 * (requests - requests) + ABS(-1)", 1000, 0, Alarm},
		{"FILL(errors, 7) / 7", -1, 0, Alarm},
		{"errors / (requests - requests)", 1000, 20, InsufficientData}, // division by zero is missing
		{"IF(requests < 10 AND NOT errors, 5, 0)", 5, 0, Alarm},
		{"IF(requests < 10 && errors > 0 || requests == 5, 5)", 5, 0, Alarm},
		{"IF(requests > 10, 5)", 5, 0, InsufficientData}, // no else: missing
	} {
		s := newSim(t, map[string]any{"A": mathAlarm(c.expression)})
		got, err := s.Alarm("a").evaluate(traffic(c.requests, c.errors), t0.Add(time.Hour), OK)
		if err != nil || got != c.want {
			t.Errorf("%s with %v requests, %v errors: got %s, %v; want %s", c.expression, c.requests, c.errors, got, err, c.want)
		}
	}
}

func TestWhatTheSimulatorCannotModelIsAnError(t *testing.T) {
	for name, props := range map[string]map[string]any{
		"anomaly operator":      {"ComparisonOperator": "LessThanLowerOrGreaterThanUpperThreshold"},
		"threshold metric":      {"ThresholdMetricId": "ad1"},
		"trimmed mean":          {"Statistic": nil, "ExtendedStatistic": "tm99"},
		"unknown treatment":     {"TreatMissingData": "sometimes"},
		"M greater than N":      {"DatapointsToAlarm": 4.0},
		"odd period":            {"Period": 45.0},
		"no threshold":          {"Threshold": nil},
		"Sub in a dimension":    {"Dimensions": []any{map[string]any{"Name": "D", "Value": map[string]any{"Fn::Sub": "x"}}}},
		"Ref to nothing":        {"Dimensions": []any{map[string]any{"Name": "D", "Value": map[string]any{"Ref": "Nope"}}}},
		"search expression":     mathAlarm(`SEARCH('{AWS/Lambda} Errors', 'Sum', 300)`)["Properties"].(map[string]any),
		"unknown metric id":     mathAlarm("errors / nothing")["Properties"].(map[string]any),
		"unbalanced expression": mathAlarm("(errors")["Properties"].(map[string]any),
	} {
		t.Run(name, func(t *testing.T) {
			res := alarm(props)
			if _, err := New(map[string][]byte{"S": stack(t, map[string]any{"A": res})}); err == nil {
				t.Error("New accepted it")
			}
		})
	}
}

func composite(rule any) map[string]any {
	return map[string]any{"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": map[string]any{
		"AlarmName": "c", "AlarmRule": rule, "AlarmActions": []any{map[string]any{"Ref": "Pager"}}, "OKActions": []any{map[string]any{"Ref": "Pager"}},
	}}
}

func TestCompositeRules(t *testing.T) {
	states := map[string]State{"a": Alarm, "b": OK, "c1": InsufficientData}
	state := func(name string) State { return states[name] }
	for text, want := range map[string]bool{
		`ALARM("a")`:                            true,
		`ALARM(b)`:                              false,
		`OK("b") AND ALARM("a")`:                true,
		`NOT ALARM("a") OR OK("b")`:             true,
		`NOT (ALARM("a") OR OK("b"))`:           false,
		`ALARM("b") AND ALARM("a") OR TRUE`:     true, // AND binds tighter
		`ALARM("b") AND (ALARM("a") OR TRUE)`:   false,
		`INSUFFICIENT_DATA("c1") AND NOT FALSE`: true,
		`(((ALARM("a"))))`:                      true,
	} {
		r, _, err := parseRule(text)
		if err != nil {
			t.Errorf("%s: %v", text, err)
			continue
		}
		if got := r.holds(state); got != want {
			t.Errorf("%s: got %v, want %v", text, got, want)
		}
	}
	for _, bad := range []string{`ALARM("a") AND`, `ALARM()`, `SOMETIMES("a")`, `(ALARM("a")`, `ALARM("a") XOR OK("b")`} {
		if _, _, err := parseRule(bad); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}

// A composite names its children by GetAtt Arn, by ARN and by name; it
// pages once on ALARM and once on recovery.
func TestACompositeFollowsItsChildrenAndRunsItsActions(t *testing.T) {
	rule := map[string]any{"Fn::Join": []any{"", []any{
		`ALARM("`, map[string]any{"Fn::GetAtt": []any{"A", "Arn"}}, `") OR ALARM("arn:aws:cloudwatch:eu-west-1:111111111111:alarm:b") OR ALARM(c2)`,
	}}}
	s := newSim(t, map[string]any{
		"A":     alarm(map[string]any{"AlarmName": "a", "EvaluationPeriods": 1.0, "DatapointsToAlarm": 1.0, "TreatMissingData": "notBreaching"}),
		"B":     alarm(map[string]any{"AlarmName": "b", "MetricName": "Other", "EvaluationPeriods": 1.0, "DatapointsToAlarm": 1.0, "TreatMissingData": "notBreaching"}),
		"C2":    alarm(map[string]any{"AlarmName": "c2", "MetricName": "Other", "EvaluationPeriods": 1.0, "DatapointsToAlarm": 1.0, "TreatMissingData": "notBreaching"}),
		"C":     composite(rule),
		"Pager": map[string]any{"Type": "AWS::SNS::Topic"},
	})
	if diff := cmp.Diff([]string{"a", "b", "c2"}, s.Alarm("c").Children); diff != "" {
		t.Errorf("children (-want +got):\n%s", diff)
	}
	// M breaches in minutes 10-14 only.
	src := func(m Metric, from, _ time.Time) []Sample {
		if m.Name == "M" && from.Sub(t0) >= 10*time.Minute && from.Sub(t0) < 15*time.Minute {
			return []Sample{{5, 1}}
		}
		return []Sample{{0, 1}}
	}
	run, err := s.Run(src, t0, t0.Add(30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if at, ok := run.First("c", Alarm, t0); !ok || at != t0.Add(11*time.Minute) {
		t.Errorf("composite in ALARM at %v (%v), want minute 11", at, ok)
	}
	if at, ok := run.First("c", OK, t0.Add(12*time.Minute)); !ok || at != t0.Add(16*time.Minute) {
		t.Errorf("composite back to OK at %v (%v), want minute 16", at, ok)
	}
	var got []State
	for _, n := range run.Notifications("arn:aws:sns:eu-west-1:123456789012:S-Pager", t0, t0.Add(30*time.Minute)) {
		got = append(got, n.To)
	}
	if diff := cmp.Diff([]State{OK, Alarm, OK}, got); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
	if _, err := New(map[string][]byte{"S": stack(t, map[string]any{"C": composite(`ALARM("missing")`)})}); err == nil {
		t.Error("a composite naming an unknown alarm was accepted")
	}
}

// CloudWatch always ignores missing data for AWS/DynamoDB alarms: the
// alarm stays in ALARM after the throttles stop being reported, unless the
// metric is filled.
func TestDynamoDBAlarmsIgnoreMissingDataUnlessFilled(t *testing.T) {
	throttles := func(m Metric, from, _ time.Time) []Sample {
		if from.Before(t0.Add(5 * time.Minute)) {
			return []Sample{{3, 1}}
		}
		return nil
	}
	plain := alarm(map[string]any{"Namespace": "AWS/DynamoDB", "EvaluationPeriods": 1.0, "DatapointsToAlarm": 1.0, "TreatMissingData": "notBreaching"})
	filled := mathAlarm("FILL(errors, 0)")
	filled["Properties"].(map[string]any)["AlarmName"] = "f"
	filled["Properties"].(map[string]any)["TreatMissingData"] = "notBreaching"
	filled["Properties"].(map[string]any)["Metrics"].([]any)[1].(map[string]any)["MetricStat"].(map[string]any)["Metric"].(map[string]any)["Namespace"] = "AWS/DynamoDB"
	filled["Properties"].(map[string]any)["Metrics"].([]any)[1].(map[string]any)["MetricStat"].(map[string]any)["Period"] = 60.0
	filled["Properties"].(map[string]any)["Metrics"] = filled["Properties"].(map[string]any)["Metrics"].([]any)[:2]
	s := newSim(t, map[string]any{"A": plain, "F": filled})
	run, err := s.Run(throttles, t0, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := run.StateAt("a", t0.Add(time.Hour)); got != Alarm {
		t.Errorf("unfilled DynamoDB alarm: %s an hour after the throttles stopped, want ALARM (CloudWatch ignores its missing data)", got)
	}
	if got := run.StateAt("f", t0.Add(time.Hour)); got != OK {
		t.Errorf("filled DynamoDB alarm: %s an hour after the throttles stopped, want OK", got)
	}
	if _, ok := run.First("f", Alarm, t0); !ok {
		t.Error("filled DynamoDB alarm never fired")
	}
}

// A dimension names the resource its service publishes under that value:
// through an import, or by physical name from another stack. A Ref that
// returns something else (a rule on a custom bus: "<bus>|<rule>") names
// nothing.
func TestDimensionsNameTheResourceTheirServicePublishesUnder(t *testing.T) {
	dims := func(kv ...any) map[string]any {
		var list []any
		for i := 0; i+1 < len(kv); i += 2 {
			list = append(list, map[string]any{"Name": kv[i], "Value": kv[i+1]})
		}
		return map[string]any{"Dimensions": list}
	}
	rule := func(name any) map[string]any {
		p := dims("RuleName", name, "EventBusName", "orders")
		p["AlarmName"], p["Namespace"], p["MetricName"] = "r", "AWS/Events", "FailedInvocations"
		return alarm(p)
	}
	imported := alarm(dims("TableName", map[string]any{"Fn::ImportValue": "Data:Table"}, "GlobalSecondaryIndexName", "byEmail"))
	imported["Properties"].(map[string]any)["Namespace"] = "AWS/DynamoDB"
	api := stack(t, map[string]any{"A": imported,
		"RuleByRef":        rule(map[string]any{"Fn::ImportValue": "Data:RuleRef"}),
		"RuleByName":       alarm(map[string]any{"AlarmName": "n", "Namespace": "AWS/Events", "MetricName": "FailedInvocations", "Dimensions": []any{map[string]any{"Name": "RuleName", "Value": "Data-Rule"}, map[string]any{"Name": "EventBusName", "Value": "orders"}}}),
		"RuleWithoutBus":   alarm(map[string]any{"AlarmName": "nobus", "Namespace": "AWS/Events", "MetricName": "FailedInvocations", "Dimensions": []any{map[string]any{"Name": "RuleName", "Value": "Data-Rule"}}}),
		"RuleOnAnotherBus": alarm(map[string]any{"AlarmName": "otherbus", "Namespace": "AWS/Events", "MetricName": "FailedInvocations", "Dimensions": []any{map[string]any{"Name": "RuleName", "Value": "Data-Rule"}, map[string]any{"Name": "EventBusName", "Value": "default"}}}),
		"TableAndQueue":    alarm(map[string]any{"AlarmName": "mixed", "Namespace": "AWS/DynamoDB", "MetricName": "ThrottledRequests", "Dimensions": []any{map[string]any{"Name": "TableName", "Value": "orders-prod"}, map[string]any{"Name": "Operation", "Value": "GetItem"}, map[string]any{"Name": "GlobalSecondaryIndexName", "Value": "byEmail"}}}),
	})
	data := stack(t, map[string]any{
		"Table": map[string]any{"Type": "AWS::DynamoDB::Table", "Properties": map[string]any{"TableName": "orders-prod",
			"GlobalSecondaryIndexes": []any{map[string]any{"IndexName": "byEmail"}}}},
		"Bus":  map[string]any{"Type": "AWS::Events::EventBus", "Properties": map[string]any{"Name": "orders"}},
		"Rule": map[string]any{"Type": "AWS::Events::Rule", "Properties": map[string]any{"EventBusName": map[string]any{"Ref": "Bus"}}},
	}, map[string]any{
		"T": map[string]any{"Value": map[string]any{"Ref": "Table"}, "Export": map[string]any{"Name": "Data:Table"}},
		"R": map[string]any{"Value": map[string]any{"Ref": "Rule"}, "Export": map[string]any{"Name": "Data:RuleRef"}},
	})
	s, err := New(map[string][]byte{"Data": data, "Api": api})
	if err != nil {
		t.Fatal(err)
	}
	m := s.Alarm("a").Metrics[0]
	if r, ok := s.Dimension(m, "TableName"); !ok || r.Key() != "Data/Table" || m.Dimensions["TableName"] != "orders-prod" {
		t.Errorf("TableName %q resolves to %+v, %v", m.Dimensions["TableName"], r, ok)
	}
	if err := s.CheckDimensions(m); err != nil {
		t.Error(err)
	}
	if err := s.CheckDimensions(s.Alarm("n").Metrics[0]); err != nil {
		t.Errorf("a rule named by its name: %v", err)
	}
	byRef := s.Alarm("r").Metrics[0]
	if byRef.Dimensions["RuleName"] != "orders|Data-Rule" {
		t.Errorf("RuleName from Ref of a rule on a custom bus = %q, want orders|Data-Rule", byRef.Dimensions["RuleName"])
	}
	if err := s.CheckDimensions(byRef); err == nil || !strings.Contains(err.Error(), "RuleName") {
		t.Errorf("a RuleName holding Ref of a rule on a custom bus passed the check: %v", err)
	}
	// Each value names a resource, but together they are no combination
	// the service publishes: such a metric never exists.
	for name, want := range map[string]string{
		"nobus":    `the rule is on bus "orders"`,
		"otherbus": `the rule is on bus "orders"`,
		"mixed":    "publishes no metric with exactly the dimensions",
	} {
		if err := s.CheckDimensions(s.Alarm(name).Metrics[0]); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("alarm %s: CheckDimensions = %v, want an error saying %q", name, err, want)
		}
	}
	bad := stack(t, map[string]any{"A": alarm(map[string]any{"Dimensions": []any{
		map[string]any{"Name": "TableName", "Value": map[string]any{"Fn::ImportValue": "Nobody:Exports"}}}})})
	if _, err := New(map[string][]byte{"Api": bad}); err == nil {
		t.Error("an import nobody exports was accepted")
	}
}

func TestDisabledActionsDoNotRun(t *testing.T) {
	a := alarm(map[string]any{"ActionsEnabled": false, "AlarmActions": []any{"arn:aws:sns:eu-west-1:1:t"}, "EvaluationPeriods": 1.0, "DatapointsToAlarm": 1.0})
	run, err := newSim(t, map[string]any{"A": a}).Run(pattern("X X X"), t0, t0.Add(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if n := run.Notifications("arn:aws:sns:eu-west-1:1:t", t0, t0.Add(time.Hour)); len(n) != 0 || run.StateAt("a", t0.Add(3*time.Minute)) != Alarm {
		t.Errorf("notifications %v, state %s", n, run.StateAt("a", t0.Add(3*time.Minute)))
	}
}
