package gateway

import (
	"github.com/acme/customers-api/localapi/internal/template"

	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// apiKey is an AWS::ApiGateway::ApiKey and the usage plans that bind it to
// the stage.
type apiKey struct {
	id, name, value string
	enabled         bool
	plans           []*plan
}

// plan is an AWS::ApiGateway::UsagePlan that includes the gateway's stage.
type plan struct {
	id, name string
	throttle *throttle
	// methods are the plan's per-method throttles, by "/path/VERB".
	methods map[string]*throttle
	quota   int
	period  string // DAY, WEEK or MONTH
}

type throttle struct {
	rate  float64
	burst int
}

// limits holds the token buckets and quota counters: per API key and plan,
// per key, plan and method, and per stage method.
type limits struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	used    map[string]int // quota use by key/plan/period start
}

func newLimits() *limits {
	return &limits{buckets: map[string]*rate.Limiter{}, used: map[string]int{}}
}

func (l *limits) bucket(key string, t throttle) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		b = rate.NewLimiter(rate.Limit(t.rate), t.burst)
		l.buckets[key] = b
	}
	return b
}

// periodStart is the UTC start of the quota period that holds now.
func periodStart(period string, now time.Time) time.Time {
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	switch period {
	case "WEEK":
		return day.AddDate(0, 0, -int(now.Weekday()))
	case "MONTH":
		return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

// admit applies a key's plans to a request for method: the quota, then
// the plan's throttle and the plan's throttle for the method. It returns
// the gateway response type that refuses the request, or "".
func (l *limits) admit(k *apiKey, m *method, now time.Time) string {
	for _, p := range k.plans {
		if p.quota > 0 {
			period := fmt.Sprintf("%s/%s/%d", k.id, p.id, periodStart(p.period, now).Unix())
			l.mu.Lock()
			exceeded := l.used[period] >= p.quota
			if !exceeded {
				l.used[period]++
			}
			l.mu.Unlock()
			if exceeded {
				return quotaExceeded
			}
		}
		if p.throttle != nil && !l.bucket(k.id+"/"+p.id, *p.throttle).AllowN(now, 1) {
			return throttled
		}
		if t, ok := p.methods[m.resourcePath+"/"+m.verb]; ok && !l.bucket(k.id+"/"+p.id+m.resourcePath+"/"+m.verb, *t).AllowN(now, 1) {
			return throttled
		}
	}
	return ""
}

// loadKeys reads the API keys bound by usage plans to the gateway's stage.
// A key without a Value gets a random one, as API Gateway generates it.
func (g *Gateway) loadKeys(api template.Resource, stage template.Resource) error {
	a := g.assembly
	g.keys = map[string]*apiKey{}
	byID := map[string]*apiKey{}
	for _, r := range a.Resources("AWS::ApiGateway::ApiKey") {
		k := &apiKey{id: "key" + template.ShortHash(r.Key()), name: r.LogicalID}
		k.enabled, _ = r.Properties["Enabled"].(bool)
		if n, ok := r.Properties["Name"]; ok {
			k.name, _ = a.String(r.Stack, n)
		}
		if v, ok := r.Properties["Value"]; ok {
			var err error
			if k.value, err = a.String(r.Stack, v); err != nil {
				return err
			}
		} else {
			k.value = template.RandomString(40)
		}
		byID[r.Key()] = k
		g.keys[k.value] = k
	}
	plans := map[string]*plan{}
	for _, r := range a.Resources("AWS::ApiGateway::UsagePlan") {
		var props struct {
			Throttle *struct{ RateLimit, BurstLimit float64 }
			Quota    *struct {
				Limit  int
				Period string
			}
		}
		name := r.LogicalID
		if n, ok := r.Properties["UsagePlanName"]; ok {
			name, _ = a.String(r.Stack, n)
		}
		if err := errors.Join(a.Decode(r, "Throttle", &props.Throttle), a.Decode(r, "Quota", &props.Quota)); err != nil {
			return err
		}
		stages, _ := r.Properties["ApiStages"].([]any)
		var bound *plan
		for _, s := range stages {
			s, _ := s.(map[string]any)
			apiRes, ok1 := a.Lookup(r.Stack, s["ApiId"])
			stageRes, ok2 := a.Lookup(r.Stack, s["Stage"])
			if !ok1 || !ok2 || apiRes.Key() != api.Key() || stageRes.Key() != stage.Key() {
				continue
			}
			bound = &plan{id: "plan" + template.ShortHash(r.Key()), name: name, methods: map[string]*throttle{}}
			overrides, _ := s["Throttle"].(map[string]any)
			for path, t := range overrides {
				t, _ := t.(map[string]any)
				rt, _ := t["RateLimit"].(float64)
				bl, _ := t["BurstLimit"].(float64)
				bound.methods[path] = &throttle{rate: rt, burst: int(bl)}
			}
		}
		if bound == nil {
			continue
		}
		if props.Throttle != nil {
			bound.throttle = &throttle{rate: props.Throttle.RateLimit, burst: int(props.Throttle.BurstLimit)}
		}
		if props.Quota != nil {
			bound.quota, bound.period = props.Quota.Limit, props.Quota.Period
			if q, ok := g.opts.Quotas[bound.name]; ok {
				bound.quota = q
			}
		}
		plans[r.Key()] = bound
	}
	for _, r := range a.Resources("AWS::ApiGateway::UsagePlanKey") {
		k, ok1 := a.Lookup(r.Stack, r.Properties["KeyId"])
		p, ok2 := a.Lookup(r.Stack, r.Properties["UsagePlanId"])
		if !ok1 || !ok2 || plans[p.Key()] == nil || byID[k.Key()] == nil {
			continue
		}
		byID[k.Key()].plans = append(byID[k.Key()].plans, plans[p.Key()])
	}
	return nil
}

// loadStageThrottles reads the stage's method settings: the "/*" "*"
// default and per-method overrides, keyed by "/path/VERB".
func (g *Gateway) loadStageThrottles(stage template.Resource) error {
	var settings []struct {
		ResourcePath, HttpMethod                  string
		ThrottlingRateLimit, ThrottlingBurstLimit *float64
	}
	if err := g.assembly.Decode(stage, "MethodSettings", &settings); err != nil {
		return err
	}
	g.stageThrottles = map[string]throttle{}
	for _, s := range settings {
		if s.ThrottlingRateLimit == nil || s.ThrottlingBurstLimit == nil {
			continue
		}
		// ResourcePath escapes "/" as "~1" in method settings.
		path := strings.ReplaceAll(s.ResourcePath, "~1", "/")
		g.stageThrottles[path+"/"+s.HttpMethod] = throttle{rate: *s.ThrottlingRateLimit, burst: int(*s.ThrottlingBurstLimit)}
	}
	return nil
}

// admitStage applies the stage's throttle for method, shared by every
// caller.
func (g *Gateway) admitStage(m *method, now time.Time) bool {
	t, ok := g.stageThrottles[m.resourcePath+"/"+m.verb]
	if !ok {
		if t, ok = g.stageThrottles["/*/*"]; !ok {
			return true
		}
	}
	return g.limits.bucket("stage"+m.resourcePath+"/"+m.verb, t).AllowN(now, 1)
}
