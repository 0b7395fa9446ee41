// Package alarmsim evaluates the CloudWatch alarms of synthesized
// CloudFormation templates against metric time series that a test
// describes, the way CloudWatch evaluates them, so that a test can show an
// alarm fires when the thing it guards breaks and stays quiet when it does
// not.
//
//	sim, err := alarmsim.LoadDir("cdk.out")
//	run, err := sim.Run(source, start, end)
//	run.StateAt("orders-prod-createErrors", end) // alarmsim.Alarm, OK or INSUFFICIENT_DATA
//
// It reads AWS::CloudWatch::Alarm (a single metric, or Metrics with
// MetricStat and math expressions) and AWS::CloudWatch::CompositeAlarm.
// Template values resolve as CloudFormation resolves them (package
// cfnref): a dimension holds the physical name or value that Ref, Fn::GetAtt
// or Fn::ImportValue returns, and Simulator.Dimension finds the resource
// whose service publishes metrics under it. A property, statistic,
// function, rule, resource type or attribute it does not model is an error
// from New, never a silent OK.
//
// # Evaluation rules
//
// These follow the CloudWatch user guide ("Alarm evaluation", "Configuring
// how CloudWatch alarms treat missing data"); where it is silent, the
// choice is written here.
//
//   - Datapoints: one per period, aligned to the Unix epoch, the statistic
//     of the samples the Source gives for [start, end) of that period. A
//     period with no samples is missing. There is no ingestion delay: an
//     alarm is evaluated at the end of each of its periods over the periods
//     that just ended.
//   - Statistics: Sum, Average, Minimum, Maximum, SampleCount and pNN or
//     pNN.N. Percentiles use the nearest-rank method over the samples
//     (weighted by Sample.Count); CloudWatch does not document its method.
//   - Evaluation range: EvaluationPeriods + 2 periods, as in the user guide's
//     worked example (3 evaluation periods, 5 datapoints retrieved).
//     With at least EvaluationPeriods real datapoints in the range, the most
//     recent EvaluationPeriods of them decide and TreatMissingData is not
//     used. With fewer, missing datapoints are filled as few times as
//     possible: breaching and notBreaching fill up to EvaluationPeriods;
//     ignore keeps the current state unless every possible filling gives
//     the same state; missing goes to INSUFFICIENT_DATA when every
//     datapoint is missing, otherwise to ALARM when DatapointsToAlarm of the
//     real ones breach, or when the oldest breaching datapoint is at least
//     DatapointsToAlarm periods old and every newer one breaches or is
//     missing (the "premature alarm" rule of the AWS knowledge center),
//     otherwise to OK.
//   - ALARM needs DatapointsToAlarm breaching datapoints among the
//     EvaluationPeriods evaluated (M out of N); fewer is OK.
//   - Alarms on AWS/DynamoDB metrics always treat missing data as ignore,
//     as CloudWatch documents, whatever TreatMissingData says. Wrap such
//     metrics in FILL(m, 0) where an alarm must recover when the metric
//     stops.
//   - Metric math works datapoint by datapoint: an operation on a missing
//     value is missing, division by zero is missing, comparisons and
//     AND/OR/NOT give 1 or 0, IF(c, a[, b]) is missing where c is, FILL(m, v)
//     replaces missing values by the constant v.
//   - Composite alarms are evaluated after the metric alarms at each step:
//     ALARM when the rule holds, OK otherwise; INSUFFICIENT_DATA only before
//     the first step.
//   - Every alarm starts in INSUFFICIENT_DATA; a transition runs the actions
//     for the new state (unless ActionsEnabled is false).
package alarmsim

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/acme/customers-api/cdktest/cfnref"
)

// State is an alarm state.
type State string

// The alarm states.
const (
	Alarm            State = "ALARM"
	OK               State = "OK"
	InsufficientData State = "INSUFFICIENT_DATA"
)

// Metric identifies a CloudWatch metric; dimension values are resolved
// (see Simulator.Dimension for the resources they name).
type Metric struct {
	Namespace, Name string
	Dimensions      map[string]string
}

func (m Metric) String() string {
	keys := make([]string, 0, len(m.Dimensions))
	for k := range m.Dimensions {
		keys = append(keys, k+"="+m.Dimensions[k])
	}
	sort.Strings(keys)
	return m.Namespace + "/" + m.Name + "{" + strings.Join(keys, ",") + "}"
}

// Sample is Count raw values equal to Value, as a metric receives them
// (one Lambda invocation is an Errors sample of 0 or 1, a request a
// Latency sample in milliseconds).
type Sample struct{ Value, Count float64 }

// Source gives the samples metric m received in [from, to); none means the
// metric had no data then.
type Source func(m Metric, from, to time.Time) []Sample

// AlarmDef is one alarm read from a template.
type AlarmDef struct {
	Name      string
	Resource  Resource
	Composite bool
	// Metric alarms only.
	ComparisonOperator                   string
	Threshold                            float64
	EvaluationPeriods, DatapointsToAlarm int
	TreatMissingData                     string
	Period                               time.Duration
	// Metrics are the metrics the alarm reads.
	Metrics []Metric
	// Actions by the state that runs them.
	Actions map[State][]string
	// Children are the alarms a composite's rule names.
	Children []string

	stats   map[string]metricStat
	refs    map[string]string // composite rule reference -> alarm name
	output  expr
	dynamo  bool
	rule    rule
	enabled bool
}

type metricStat struct {
	metric Metric
	stat   string
}

// Simulator holds the alarms of a set of templates.
type Simulator struct {
	t      *cfnref.Templates
	byID   map[string]map[string]Resource // see indexPublished
	alarms []*AlarmDef
	byName map[string]*AlarmDef
}

var knownAlarmProps = map[string]bool{
	"AlarmName": true, "AlarmDescription": true, "AlarmActions": true, "OKActions": true, "InsufficientDataActions": true,
	"ActionsEnabled": true, "ComparisonOperator": true, "DatapointsToAlarm": true, "EvaluationPeriods": true, "Threshold": true,
	"TreatMissingData": true, "Metrics": true, "MetricName": true, "Namespace": true, "Dimensions": true, "Period": true,
	"Statistic": true, "ExtendedStatistic": true,
}

var knownCompositeProps = map[string]bool{
	"AlarmName": true, "AlarmDescription": true, "AlarmActions": true, "OKActions": true, "InsufficientDataActions": true,
	"ActionsEnabled": true, "AlarmRule": true,
}

var operators = map[string]func(v, t float64) bool{
	"GreaterThanOrEqualToThreshold": func(v, t float64) bool { return v >= t },
	"GreaterThanThreshold":          func(v, t float64) bool { return v > t },
	"LessThanThreshold":             func(v, t float64) bool { return v < t },
	"LessThanOrEqualToThreshold":    func(v, t float64) bool { return v <= t },
}

var treatments = []string{"missing", "notBreaching", "breaching", "ignore"}

// New reads the alarms of the given templates (stack name -> template
// JSON). Alarms, rules and references it cannot model are errors.
func New(raw map[string][]byte) (*Simulator, error) {
	ts, err := cfnref.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("alarmsim: %w", err)
	}
	s := &Simulator{t: ts, byName: map[string]*AlarmDef{}}
	if err := s.indexPublished(); err != nil {
		return nil, fmt.Errorf("alarmsim: %w", err)
	}
	var errs []string
	var composites []*AlarmDef
	for _, typ := range []string{"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"} {
		for _, r := range s.Resources(typ) {
			a, err := s.parseAlarm(r)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s/%s: %v", r.Stack, r.LogicalID, err))
				continue
			}
			if s.byName[a.Name] != nil {
				errs = append(errs, fmt.Sprintf("alarm name %q is used twice", a.Name))
			}
			s.alarms = append(s.alarms, a)
			s.byName[a.Name] = a
			if a.Composite {
				composites = append(composites, a)
			}
		}
	}
	for _, c := range composites {
		for i, ref := range c.Children {
			child := s.lookup(ref)
			if child == nil {
				errs = append(errs, fmt.Sprintf("composite %s names unknown alarm %q", c.Name, ref))
				continue
			}
			c.refs[ref] = child.Name
			c.Children[i] = child.Name
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("alarmsim: %s", strings.Join(errs, "; "))
	}
	return s, nil
}

// Alarms returns every alarm, metric alarms first, each group sorted by
// stack and logical id.
func (s *Simulator) Alarms() []*AlarmDef { return s.alarms }

// Alarm returns the alarm with the given name, or nil.
func (s *Simulator) Alarm(name string) *AlarmDef { return s.byName[name] }

var arnName = regexp.MustCompile(`^arn:[^:]+:cloudwatch:[^:]*:[^:]*:alarm:(.+)$`)

// lookup finds an alarm by name or ARN.
func (s *Simulator) lookup(ref string) *AlarmDef {
	if a := s.byName[ref]; a != nil {
		return a
	}
	if m := arnName.FindStringSubmatch(ref); m != nil {
		return s.byName[m[1]]
	}
	return nil
}

func (s *Simulator) parseAlarm(r Resource) (*AlarmDef, error) {
	p := r.Properties
	a := &AlarmDef{Resource: r, Composite: r.Type == "AWS::CloudWatch::CompositeAlarm", Actions: map[State][]string{}, enabled: true, refs: map[string]string{}}
	known := knownAlarmProps
	if a.Composite {
		known = knownCompositeProps
	}
	for k := range p {
		if !known[k] {
			return nil, fmt.Errorf("property %s is not modelled", k)
		}
	}
	name, err := s.t.Ref(r) // the alarm's name, generated where AlarmName is unset
	if err != nil {
		return nil, fmt.Errorf("AlarmName: %w", err)
	}
	a.Name = name
	if e, ok := p["ActionsEnabled"].(bool); ok {
		a.enabled = e
	}
	for state, key := range map[State]string{Alarm: "AlarmActions", OK: "OKActions", InsufficientData: "InsufficientDataActions"} {
		list, _ := p[key].([]any)
		for _, v := range list {
			action, err := s.t.String(r.Stack, v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			a.Actions[state] = append(a.Actions[state], action)
		}
	}
	if a.Composite {
		text, err := s.t.String(r.Stack, p["AlarmRule"])
		if err != nil {
			return nil, fmt.Errorf("AlarmRule: %w", err)
		}
		a.rule, a.Children, err = parseRule(text)
		return a, err
	}
	return a, s.parseMetricAlarm(a, p)
}

func (s *Simulator) parseMetricAlarm(a *AlarmDef, p map[string]any) error {
	a.ComparisonOperator, _ = p["ComparisonOperator"].(string)
	if operators[a.ComparisonOperator] == nil {
		return fmt.Errorf("ComparisonOperator %q is not modelled", a.ComparisonOperator)
	}
	threshold, ok := p["Threshold"].(float64)
	if !ok {
		return fmt.Errorf("the Threshold property is required")
	}
	a.Threshold = threshold
	n, _ := p["EvaluationPeriods"].(float64)
	a.EvaluationPeriods = int(n)
	if a.EvaluationPeriods < 1 {
		return fmt.Errorf("EvaluationPeriods must be at least 1")
	}
	a.DatapointsToAlarm = a.EvaluationPeriods
	if m, ok := p["DatapointsToAlarm"].(float64); ok {
		a.DatapointsToAlarm = int(m)
	}
	if a.DatapointsToAlarm < 1 || a.DatapointsToAlarm > a.EvaluationPeriods {
		return fmt.Errorf("DatapointsToAlarm %d is outside 1..EvaluationPeriods", a.DatapointsToAlarm)
	}
	a.TreatMissingData = "missing"
	if t, ok := p["TreatMissingData"].(string); ok {
		a.TreatMissingData = t
	}
	if !slices.Contains(treatments, a.TreatMissingData) {
		return fmt.Errorf("TreatMissingData %q is not one of %v", a.TreatMissingData, treatments)
	}
	a.stats = map[string]metricStat{}
	if metrics, ok := p["Metrics"].([]any); ok {
		if p["MetricName"] != nil || p["Statistic"] != nil || p["Period"] != nil {
			return fmt.Errorf("both Metrics and MetricName/Statistic/Period are set")
		}
		return s.parseMetrics(a, metrics)
	}
	stat, _ := p["Statistic"].(string)
	if ext, ok := p["ExtendedStatistic"].(string); ok {
		stat = ext
	}
	period, _ := p["Period"].(float64)
	m, err := s.metric(a, p)
	if err != nil {
		return err
	}
	return a.addStat("m", m, stat, period, true)
}

// addStat records one metric the alarm reads; output makes it the alarm's
// value.
func (a *AlarmDef) addStat(id string, m Metric, stat string, period float64, output bool) error {
	if _, err := statistic(stat, nil); err != nil {
		return err
	}
	if period < 10 || math.Mod(period, 60) != 0 && period != 10 && period != 30 {
		return fmt.Errorf("period %v is not a CloudWatch alarm period", period)
	}
	d := time.Duration(period) * time.Second
	if a.Period != 0 && a.Period != d {
		return fmt.Errorf("metrics with different periods (%v and %v) are not modelled", a.Period, d)
	}
	a.Period = d
	a.stats[id] = metricStat{m, stat}
	a.Metrics = append(a.Metrics, m)
	a.dynamo = a.dynamo || m.Namespace == "AWS/DynamoDB"
	if output {
		a.output = ident(id)
	}
	return nil
}

func (s *Simulator) metric(a *AlarmDef, p map[string]any) (Metric, error) {
	m := Metric{Dimensions: map[string]string{}}
	m.Namespace, _ = p["Namespace"].(string)
	m.Name, _ = p["MetricName"].(string)
	if m.Namespace == "" || m.Name == "" {
		return m, fmt.Errorf("a metric needs Namespace and MetricName")
	}
	dims, _ := p["Dimensions"].([]any)
	for _, d := range dims {
		dim, _ := d.(map[string]any)
		name, _ := dim["Name"].(string)
		v, err := s.t.String(a.Resource.Stack, dim["Value"])
		if err != nil {
			return m, fmt.Errorf("dimension %s: %w", name, err)
		}
		m.Dimensions[name] = v
	}
	return m, nil
}

func (s *Simulator) parseMetrics(a *AlarmDef, metrics []any) error {
	exprs := map[string]expr{}
	var output string
	for _, raw := range metrics {
		q, _ := raw.(map[string]any)
		id, _ := q["Id"].(string)
		for k := range q {
			if !slices.Contains([]string{"Id", "Expression", "MetricStat", "ReturnData", "Label", "Period"}, k) {
				return fmt.Errorf("metric %s: property %s is not modelled", id, k)
			}
		}
		if ret, ok := q["ReturnData"].(bool); !ok || ret {
			if output != "" {
				return fmt.Errorf("more than one metric returns data (%s, %s)", output, id)
			}
			output = id
		}
		if text, ok := q["Expression"].(string); ok {
			e, err := parseExpr(text)
			if err != nil {
				return err
			}
			exprs[id] = e
			continue
		}
		ms, _ := q["MetricStat"].(map[string]any)
		if ms == nil {
			return fmt.Errorf("metric %s has neither Expression nor MetricStat", id)
		}
		if _, ok := ms["Unit"]; ok {
			return fmt.Errorf("metric %s: Unit is not modelled", id)
		}
		mp, _ := ms["Metric"].(map[string]any)
		m, err := s.metric(a, mp)
		if err != nil {
			return fmt.Errorf("metric %s: %w", id, err)
		}
		stat, _ := ms["Stat"].(string)
		period, _ := ms["Period"].(float64)
		if err := a.addStat(id, m, stat, period, false); err != nil {
			return fmt.Errorf("metric %s: %w", id, err)
		}
	}
	if output == "" {
		return fmt.Errorf("no metric returns data")
	}
	a.output = ident(output)
	// Expressions may use each other; inline them so evaluation only looks
	// up metric ids.
	a.output = inline(a.output, exprs, a.stats, 0)
	return checkIdents(a.output, a.stats)
}

func inline(e expr, exprs map[string]expr, stats map[string]metricStat, depth int) expr {
	if depth > 10 {
		return e
	}
	switch e := e.(type) {
	case ident:
		if x, ok := exprs[string(e)]; ok {
			return inline(x, exprs, stats, depth+1)
		}
	case unary:
		return unary{e.op, inline(e.x, exprs, stats, depth)}
	case binary:
		return binary{e.op, inline(e.l, exprs, stats, depth), inline(e.r, exprs, stats, depth)}
	case call:
		args := make([]expr, len(e.args))
		for i, x := range e.args {
			args[i] = inline(x, exprs, stats, depth)
		}
		return call{e.fn, args}
	}
	return e
}

func checkIdents(e expr, stats map[string]metricStat) error {
	switch e := e.(type) {
	case ident:
		if _, ok := stats[string(e)]; !ok {
			return fmt.Errorf("expression uses unknown or cyclic id %q", string(e))
		}
	case unary:
		return checkIdents(e.x, stats)
	case binary:
		if err := checkIdents(e.l, stats); err != nil {
			return err
		}
		return checkIdents(e.r, stats)
	case call:
		for _, x := range e.args {
			if err := checkIdents(x, stats); err != nil {
				return err
			}
		}
	}
	return nil
}

// statistic computes stat over samples; ok is false when there are none.
// With nil samples it only checks that stat is known.
func statistic(stat string, samples []Sample) (float64, error) {
	var n, sum float64
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range samples {
		if s.Count <= 0 {
			continue
		}
		n += s.Count
		sum += s.Value * s.Count
		lo, hi = math.Min(lo, s.Value), math.Max(hi, s.Value)
	}
	switch stat {
	case "Sum":
		return sum, nil
	case "SampleCount":
		return n, nil
	case "Average":
		return sum / n, nil
	case "Minimum":
		return lo, nil
	case "Maximum":
		return hi, nil
	}
	if len(stat) < 2 || stat[0] != 'p' {
		return 0, fmt.Errorf("statistic %q is not modelled", stat)
	}
	p, err := strconv.ParseFloat(stat[1:], 64)
	if err != nil || p <= 0 || p > 100 {
		return 0, fmt.Errorf("statistic %q is not modelled", stat)
	}
	sorted := slices.Clone(samples)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Value < sorted[j].Value })
	rank, seen := math.Ceil(p/100*n), 0.0
	for _, s := range sorted {
		if s.Count <= 0 {
			continue
		}
		if seen += s.Count; seen >= rank {
			return s.Value, nil
		}
	}
	return hi, nil
}

// Only returns a simulator of just the named alarms (a composite only
// when its children are named too): a mutation test that changes one
// alarm need not evaluate the others.
func (s *Simulator) Only(names ...string) *Simulator {
	out := &Simulator{t: s.t, byID: s.byID, byName: map[string]*AlarmDef{}}
	for _, a := range s.alarms {
		if slices.Contains(names, a.Name) {
			out.alarms = append(out.alarms, a)
			out.byName[a.Name] = a
		}
	}
	return out
}
