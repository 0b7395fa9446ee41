package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/acme/customers-api/constructs/settings"
	"github.com/acme/customers-api/internal/config"
	"github.com/acme/customers-api/stacks"
)

// change is what one configuration leaf is set to, and how its effect shows
// in the synthesized cloud assembly (the templates of the environment's
// stacks and their deployment environment, aws://account/region).
type change struct {
	// to is the leaf's new value (converted to the leaf's type).
	to any
	// find is what must appear in the output and must not appear in the
	// unchanged environment's: a string is a substring of a template's
	// compact JSON or of a stack's environment; a number is a number in a
	// template, or one written in a string (an alarm expression, a
	// dashboard body). Default: to itself; a duration in milliseconds,
	// seconds, minutes, hours or days, whichever are whole.
	find []any
	// gone, instead of find, is a substring of the unchanged environment's
	// output that the change removes.
	gone string
}

// batch changes several leaves of one environment at once: their values
// are unique, so each leaf's effect is told apart from the others' in one
// synth. Each value also differs from what the construct takes for a zero
// field, so a mapping dropped from stacks/settings.go (which leaves the
// field zero) shows. support are changes that make the batch valid; they
// prove nothing.
type batch struct {
	env     string
	support func(*config.Environment)
	leaves  map[string]change
}

// noTemplateEffect are the leaves that change no template, and why.
var noTemplateEffect = map[string]string{
	"API.UsagePlans[0].ServerToServer": "read only by the WAF per-IP check (config.Validate and restapi's validation), which refuses an environment whose WAFRateLimit would block the plan",
	"API.UsagePlans[1].ServerToServer": "read only by the WAF per-IP check (config.Validate and restapi's validation), which refuses an environment whose WAFRateLimit would block the plan",
}

// withOptionals is staging with the optional settings it leaves nil set,
// so that their leaves are walked too.
func withOptionals(e *config.Environment) {
	e.API.CustomDomain = &settings.CustomDomain{Name: "api.staging.example.com",
		CertificateARN: "arn:aws:acm:eu-west-1:222222222222:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"}
	e.API.TraceSampling = &settings.TraceSampling{ReservoirPerSecond: 1, Rate: 0.05}
}

// batches cover every leaf of staging (withOptionals) but those in
// noTemplateEffect. Leaves that cannot change together (an imported pool
// has no Auth settings; an existing web ACL excludes WAF; only dev may turn
// Retain off) are in separate batches.
var batches = []batch{
	{env: "staging", support: withOptionals, leaves: map[string]change{
		"Name":                             {to: "zulu", find: []any{"customers-zulu"}},
		"Account":                          {to: "444455556666"},
		"Region":                           {to: "eu-central-1"},
		"LogRetentionDays":                 {to: 545},
		"Functions.MemoryMB":               {to: 1234},
		"Functions.Timeout":                {to: 27 * time.Second},
		"Functions.ProvisionedConcurrency": {to: 37},
		"Rollout.Strategy":                 {to: settings.AllAtOnce, find: []any{"CodeDeployDefault.LambdaAllAtOnce"}},
		"API.StageName":                    {to: "zulustage"},
		"API.ProblemTypeBase":              {to: "https://zulu-problems.example.com/"},
		"API.Throttle.RateLimit":           {to: 333.0},
		"API.Throttle.BurstLimit":          {to: 444},
		"API.CORSOrigins[0]":               {to: "https://zulu-cors.example.com"},
		"API.CloudWatchRole":               {to: true, find: []any{"AWS::ApiGateway::Account"}},
		"API.WAFRateLimit":                 {to: 7777},
		// The plans' rates stay below WAFRateLimit/300 (the partner's is
		// server to server).
		"API.UsagePlans[0].Name":                {to: "zulu-plan-a"},
		"API.UsagePlans[0].Throttle.RateLimit":  {to: 55.5},
		"API.UsagePlans[0].Throttle.BurstLimit": {to: 111},
		"API.UsagePlans[0].QuotaPerDay":         {to: 54321},
		"API.UsagePlans[0].APIKeys[0]":          {to: "zulu-key-a"},
		"API.UsagePlans[1].Name":                {to: "zulu-plan-b"},
		"API.UsagePlans[1].Throttle.RateLimit":  {to: 21.5},
		"API.UsagePlans[1].Throttle.BurstLimit": {to: 437},
		"API.UsagePlans[1].QuotaPerDay":         {to: 23456},
		"API.UsagePlans[1].APIKeys[0]":          {to: "zulu-key-b"},
		"API.CustomDomain.Name":                 {to: "zulu-api.example.com"},
		"API.CustomDomain.CertificateARN":       {to: "arn:aws:acm:eu-west-1:222222222222:certificate/99999999-4e5f-6a7b-8c9d-0e1f2a3b4c5d"},
		"API.TraceSampling.ReservoirPerSecond":  {to: 73},
		"API.TraceSampling.Rate":                {to: 0.0123},
		"WriteThrottle.RateLimit":               {to: 66.5},
		"WriteThrottle.BurstLimit":              {to: 399},
		"Auth.EmailFrom":                        {to: "zulu-from@example.com"},
		"Auth.DomainPrefix":                     {to: "zulu-login"},
		"Auth.MFA":                              {to: settings.MFAOff, find: []any{`"MfaConfiguration":"OFF"`}},
		"Auth.AccessTokenValidity":              {to: 47 * time.Minute},
		"Auth.RefreshTokenValidity":             {to: 29 * 24 * time.Hour},
		"Auth.CallbackURLs[0]":                  {to: "https://zulu-cb.example.com/callback"},
		"Auth.LogoutURLs[0]":                    {to: "https://zulu-out.example.com/"},
		"Events.ArchiveRetentionDays":           {to: 577},
		"Events.NotificationEmails[0]":          {to: "zulu-care@example.com"},
		"Events.NotificationTypes[0]":           {to: "customer.zulu-a"},
		"Events.NotificationTypes[1]":           {to: "customer.zulu-b"},
		"Alarms.Emails[0]":                      {to: "zulu-oncall@example.com"},
		"Alarms.Thresholds.API5xxPercent":       {to: 3.5},
		"Alarms.Thresholds.API4xxPercent":       {to: 17.5},
		"Alarms.Thresholds.APILatencyP99":       {to: 2345 * time.Millisecond},
		"Alarms.Thresholds.MinRequestsPer5Min":  {to: 321},
		// The duration alarm is at this share of Functions.Timeout (27 s),
		// the concurrency alarm at ConcurrencyPercent of ConcurrencyLimit:
		// only the products show, and each differs from the defaults'.
		"Alarms.Thresholds.DurationPercentOfTimeout": {to: 83, find: []any{27000 * 0.83}},
		"Alarms.Thresholds.ConcurrencyLimit":         {to: 1111, find: []any{1111 * 90 / 100}},
		"Alarms.Thresholds.ConcurrencyPercent":       {to: 90, find: []any{1111 * 90 / 100}},
		"Alarms.Thresholds.IteratorAge":              {to: 3*time.Minute + 7*time.Second},
		"Alarms.Thresholds.QueueAge":                 {to: 11*time.Minute + time.Second},
		"Alarms.Thresholds.WAFBlockedPer5Min":        {to: 234},
		"Alarms.Thresholds.FunctionErrorsPer5Min":    {to: 9413},
	}},
	{env: "dev", support: func(e *config.Environment) {
		e.API.WAFRateLimit, e.Alarms.Thresholds.WAFBlockedPer5Min = 1000, 10
	}, leaves: map[string]change{
		"Retain":              {to: true, find: []any{`"DeletionProtectionEnabled":true`}},
		"API.WAF":             {to: true, find: []any{"AWS::WAFv2::WebACL"}},
		"Auth.WithoutDomain":  {to: true, gone: "AWS::Cognito::UserPoolDomain"},
		"ContributorInsights": {to: settings.InsightsThrottledKeys, find: []any{`"Mode":"THROTTLED_KEYS"`}},
	}},
	{env: "staging", support: func(e *config.Environment) { e.API.WAF = false }, leaves: map[string]change{
		"API.WebACLArn":           {to: "arn:aws:wafv2:eu-west-1:222222222222:regional/webacl/zulu-central/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"},
		"Auth.ExistingUserPoolID": {to: "eu-west-1_Zulu123"},
	}},
}

// Every leaf of an environment's configuration reaches the synthesized
// templates (or is named in noTemplateEffect, with the reason): a field
// added to config and mapped nowhere in stacks/settings.go fails here.
// Leaves are changed in batches of unique values, one synth per batch.
func TestEveryConfigurationLeafReachesTheTemplates(t *testing.T) {
	full, err := config.Lookup("staging")
	if err != nil {
		t.Fatal(err)
	}
	withOptionals(&full)
	covered := map[string]bool{}
	for leaf := range noTemplateEffect {
		covered[leaf] = true
	}
	for _, b := range batches {
		for leaf := range b.leaves {
			if covered[leaf] {
				t.Errorf("%s is in two batches, or also in noTemplateEffect", leaf)
			}
			covered[leaf] = true
		}
	}
	var leaves []string
	walkLeaves(t, reflect.ValueOf(full), "", func(path string, _ reflect.Value) { leaves = append(leaves, path) })
	for _, leaf := range leaves {
		if !covered[leaf] {
			t.Errorf("configuration leaf %s is changed by no batch: give it a unique value in a batch, or a reason in noTemplateEffect", leaf)
		}
		delete(covered, leaf)
	}
	for leaf := range covered {
		t.Errorf("%s is not a leaf of the configuration", leaf)
	}
	if t.Failed() {
		return
	}
	for i, b := range batches {
		t.Run(fmt.Sprintf("batch %d (%s)", i+1, b.env), func(t *testing.T) { checkBatch(t, b) })
	}
}

func checkBatch(t *testing.T, b batch) {
	env, err := config.Lookup(b.env)
	if err != nil {
		t.Fatal(err)
	}
	before := outputOf(t, assemblyDir, env.Name)
	b.support(&env)
	for path, c := range b.leaves {
		if err := setLeaf(reflect.ValueOf(&env).Elem(), path, c.to); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	app, err := newTestApp(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stacks.NewApp(app, []config.Environment{env}); err != nil {
		t.Fatalf("the batch is not a valid configuration: %v", err)
	}
	after := outputOf(t, *app.Synth(nil).Directory(), env.Name)
	for _, path := range slices.Sorted(func(yield func(string) bool) {
		for p := range b.leaves {
			if !yield(p) {
				return
			}
		}
	}) {
		c := b.leaves[path]
		if c.gone != "" {
			if !before.has(c.gone) || after.has(c.gone) {
				t.Errorf("%s = %v: %q is in the output before (%v) and after (%v); want it only before", path, c.to, c.gone, before.has(c.gone), after.has(c.gone))
			}
			continue
		}
		find := c.find
		if find == nil {
			find = renderings(c.to)
		}
		// Only what the unchanged output lacks can show the change.
		find = slices.DeleteFunc(slices.Clone(find), before.has)
		switch {
		case len(find) == 0:
			t.Errorf("%s: every rendering of %v is already in %s's output; choose a value that is not", path, c.to, b.env)
		case !slices.ContainsFunc(find, after.has):
			t.Errorf("%s = %v does not reach the synthesized templates: none of %v is in them", path, c.to, find)
		}
	}
}

// walkLeaves calls leaf for every scalar of v (bools, numbers, strings,
// durations), with its Go path (e.g. "API.UsagePlans[1].Name"). A nil
// pointer or an empty slice has no leaves to walk: the test's environment
// must set them.
func walkLeaves(t *testing.T, v reflect.Value, path string, leaf func(string, reflect.Value)) {
	join := func(name string) string {
		if path == "" {
			return name
		}
		return path + "." + name
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				walkLeaves(t, v.Field(i), join(f.Name), leaf)
			}
		}
	case reflect.Pointer:
		if v.IsNil() {
			t.Errorf("%s is nil: set it in withOptionals so that its leaves are walked", path)
			return
		}
		walkLeaves(t, v.Elem(), path, leaf)
	case reflect.Slice:
		if v.Len() == 0 {
			t.Errorf("%s is empty: give it an element so that its leaves are walked", path)
		}
		for i := range v.Len() {
			walkLeaves(t, v.Index(i), fmt.Sprintf("%s[%d]", path, i), leaf)
		}
	case reflect.Bool, reflect.Int, reflect.Int64, reflect.Float64, reflect.String:
		leaf(path, v)
	default:
		t.Errorf("%s: the walk does not know %s values; teach it", path, v.Kind())
	}
}

var pathStep = regexp.MustCompile(`^([A-Za-z0-9]+)(?:\[([0-9]+)\])?$`)

// setLeaf sets the leaf at path (as walkLeaves names it) in v to value,
// converted to the leaf's type.
func setLeaf(v reflect.Value, path string, value any) error {
	for _, step := range strings.Split(path, ".") {
		m := pathStep.FindStringSubmatch(step)
		if m == nil {
			return fmt.Errorf("bad path step %q", step)
		}
		v = v.FieldByName(m[1])
		if !v.IsValid() {
			return fmt.Errorf("no field %s", m[1])
		}
		if m[2] != "" {
			i, _ := strconv.Atoi(m[2])
			// Copy the slice first: the environment shares it with config.
			v.Set(reflect.AppendSlice(reflect.MakeSlice(v.Type(), 0, v.Len()), v))
			v = v.Index(i)
		}
		if v.Kind() == reflect.Pointer {
			// Copy what it points to: config shares it too.
			cp := reflect.New(v.Type().Elem())
			cp.Elem().Set(v.Elem())
			v.Set(cp)
			v = cp.Elem()
		}
	}
	nv := reflect.ValueOf(value)
	if !nv.CanConvert(v.Type()) {
		return fmt.Errorf("cannot set a %s to %T", v.Type(), value)
	}
	v.Set(nv.Convert(v.Type()))
	return nil
}

// renderings are the ways a value may be written in a template.
func renderings(value any) []any {
	switch v := value.(type) {
	case time.Duration:
		var out []any
		for _, unit := range []time.Duration{time.Millisecond, time.Second, time.Minute, time.Hour, 24 * time.Hour} {
			if v%unit == 0 {
				out = append(out, float64(v/unit))
			}
		}
		return out
	case int:
		return []any{float64(v)}
	case settings.InsightsMode:
		return []any{string(v)}
	default:
		return []any{value}
	}
}

// output is what an environment's synthesis wrote: its stacks' templates
// as compact JSON and their deployment environments, the numbers in the
// templates, and their strings.
type output struct {
	text    []string
	numbers map[float64]bool
	strings []string
}

// outputOf reads the output of environment name from an assembly directory.
func outputOf(t *testing.T, dir, name string) output {
	t.Helper()
	var manifest struct {
		Artifacts map[string]struct {
			Type        string `json:"type"`
			Environment string `json:"environment"`
		} `json:"artifacts"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err == nil {
		err = json.Unmarshal(b, &manifest)
	}
	if err != nil {
		t.Fatal(err)
	}
	o := output{numbers: map[float64]bool{}}
	prefix := stacks.StackName(config.Environment{Name: name}, "")
	for id, a := range manifest.Artifacts {
		if a.Type != "aws:cloudformation:stack" || !strings.HasPrefix(id, prefix) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, id+".template.json"))
		if err != nil {
			t.Fatal(err)
		}
		var tmpl any
		if err := json.Unmarshal(b, &tmpl); err != nil {
			t.Fatal(err)
		}
		compact, _ := json.Marshal(tmpl)
		o.text = append(o.text, string(compact), a.Environment)
		o.collect(tmpl)
	}
	if len(o.text) == 0 {
		t.Fatalf("no stack of %s in %s", name, dir)
	}
	return o
}

func (o *output) collect(v any) {
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			o.collect(e)
		}
	case []any:
		for _, e := range v {
			o.collect(e)
		}
	case float64:
		o.numbers[v] = true
	case string:
		o.strings = append(o.strings, v)
	}
}

// has reports whether the output holds a string (anywhere in its text) or a
// number (as a number, or written in a string as a word of its own, not a
// piece of a hash or a name).
func (o output) has(want any) bool {
	var n float64
	switch w := want.(type) {
	case string:
		return slices.ContainsFunc(o.text, func(s string) bool { return strings.Contains(s, w) })
	case float64:
		n = w
	case int:
		n = float64(w)
	default:
		s := fmt.Sprint(want)
		return slices.ContainsFunc(o.text, func(t string) bool { return strings.Contains(t, s) })
	}
	if o.numbers[n] {
		return true
	}
	written := regexp.MustCompile(`(^|[^0-9A-Za-z_.-])` + regexp.QuoteMeta(strconv.FormatFloat(n, 'f', -1, 64)) + `([^0-9A-Za-z_-]|$)`)
	return slices.ContainsFunc(o.strings, written.MatchString)
}
