package alarmsim

import (
	"fmt"
	"time"
)

// Transition is one change of an alarm's state and the actions it ran.
type Transition struct {
	Time     time.Time
	Alarm    string
	From, To State
	Actions  []string
}

// Run is the outcome of a simulation: every transition, in time order.
type Run struct {
	Transitions []Transition
	start       time.Time
}

// Step is how often the simulation clock advances; each metric alarm is
// evaluated when a period of its own ends.
const Step = time.Minute

// Run evaluates every alarm from start to end against src. start is
// truncated to a whole minute.
func (s *Simulator) Run(src Source, start, end time.Time) (*Run, error) {
	start = start.Truncate(Step)
	state := map[string]State{}
	for _, a := range s.alarms {
		state[a.Name] = InsufficientData
	}
	run := &Run{start: start}
	set := func(a *AlarmDef, t time.Time, to State) {
		if from := state[a.Name]; from != to {
			state[a.Name] = to
			tr := Transition{Time: t, Alarm: a.Name, From: from, To: to}
			if a.enabled {
				tr.Actions = a.Actions[to]
			}
			run.Transitions = append(run.Transitions, tr)
		}
	}
	for t := start.Add(Step); !t.After(end); t = t.Add(Step) {
		for _, a := range s.alarms {
			if a.Composite || t.Unix()%int64(a.Period/time.Second) != 0 {
				continue
			}
			next, err := a.evaluate(src, t, state[a.Name])
			if err != nil {
				return nil, err
			}
			set(a, t, next)
		}
		for _, a := range s.alarms {
			if a.Composite {
				next := OK
				if a.rule.holds(func(name string) State { return state[a.refs[name]] }) {
					next = Alarm
				}
				set(a, t, next)
			}
		}
	}
	return run, nil
}

// datapoints returns the alarm's values for the periods ending at t, the
// most recent first; nil entries are missing.
func (a *AlarmDef) datapoints(src Source, t time.Time, count int) ([]*float64, error) {
	out := make([]*float64, count)
	for k := range count {
		to := t.Add(-time.Duration(k) * a.Period)
		from := to.Add(-a.Period)
		values := map[string]float64{}
		for id, ms := range a.stats {
			samples := src(ms.metric, from, to)
			total := 0.0
			for _, smp := range samples {
				total += smp.Count
			}
			if total <= 0 {
				continue
			}
			v, err := statistic(ms.stat, samples)
			if err != nil {
				return nil, err
			}
			values[id] = v
		}
		if v, ok := a.output.value(func(id string) (float64, bool) { v, ok := values[id]; return v, ok }); ok {
			out[k] = &v
		}
	}
	return out, nil
}

// evaluate returns the alarm's state at t, given its current state.
func (a *AlarmDef) evaluate(src Source, t time.Time, current State) (State, error) {
	n, m := a.EvaluationPeriods, a.DatapointsToAlarm
	dps, err := a.datapoints(src, t, n+2)
	if err != nil {
		return "", fmt.Errorf("alarmsim: %s: %w", a.Name, err)
	}
	breach := operators[a.ComparisonOperator]
	var real []bool // breaching or not, most recent first
	for _, v := range dps {
		if v != nil {
			real = append(real, breach(*v, a.Threshold))
		}
	}
	count := func(bs []bool) (c int) {
		for _, b := range bs {
			if b {
				c++
			}
		}
		return c
	}
	decide := func(breaching int) State {
		if breaching >= m {
			return Alarm
		}
		return OK
	}
	if len(real) >= n {
		return decide(count(real[:n])), nil
	}
	treat := a.TreatMissingData
	if a.dynamo {
		treat = "ignore"
	}
	fill := n - len(real)
	switch treat {
	case "breaching":
		return decide(count(real) + fill), nil
	case "notBreaching":
		return decide(count(real)), nil
	case "ignore":
		if low, high := decide(count(real)), decide(count(real)+fill); low == high {
			return low, nil
		}
		return current, nil
	}
	// missing
	if len(real) == 0 {
		return InsufficientData, nil
	}
	if count(real) >= m {
		return Alarm, nil
	}
	// The oldest breaching datapoint is at least m periods old and every
	// newer one breaches or is missing.
	oldest := -1
	for i, v := range dps {
		if v != nil && breach(*v, a.Threshold) {
			oldest = i
		}
	}
	if oldest+1 >= m {
		newerOK := true
		for _, v := range dps[:oldest] {
			if v != nil && !breach(*v, a.Threshold) {
				newerOK = false
			}
		}
		if newerOK {
			return Alarm, nil
		}
	}
	return OK, nil
}

// StateAt is the alarm's state at time t.
func (r *Run) StateAt(alarm string, t time.Time) State {
	st := InsufficientData
	for _, tr := range r.Transitions {
		if tr.Alarm == alarm && !tr.Time.After(t) {
			st = tr.To
		}
	}
	return st
}

// First returns the first time at or after from when the alarm entered
// state, and whether it did.
func (r *Run) First(alarm string, state State, from time.Time) (time.Time, bool) {
	if r.StateAt(alarm, from) == state {
		return from, true
	}
	for _, tr := range r.Transitions {
		if tr.Alarm == alarm && tr.To == state && tr.Time.After(from) {
			return tr.Time, true
		}
	}
	return time.Time{}, false
}

// Notifications are the transitions in [from, to] that ran an action
// naming target (for example a topic's token).
func (r *Run) Notifications(target string, from, to time.Time) []Transition {
	var out []Transition
	for _, tr := range r.Transitions {
		if tr.Time.Before(from) || tr.Time.After(to) {
			continue
		}
		for _, a := range tr.Actions {
			if a == target {
				out = append(out, tr)
				break
			}
		}
	}
	return out
}
