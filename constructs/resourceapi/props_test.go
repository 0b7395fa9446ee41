package resourceapi_test

import (
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/eventfanout"
	"github.com/acme/customers-api/constructs/resourceapi"
	"github.com/acme/customers-api/constructs/restapi"
	"github.com/acme/customers-api/constructs/table"
)

// events are valid event settings, for a table with a stream.
func events() *eventfanout.Settings {
	return &eventfanout.Settings{
		ItemType: "thing", EventSource: "things", ArchiveRetentionDays: 1,
		PublisherEntry: "constructs/gofunction/testdata/hello", ForwarderEntry: "constructs/gofunction/testdata/hello",
	}
}

// synthErrors builds the construct with build and synthesizes its stack,
// and returns the stack's error annotations; a panic anywhere, in Go or in
// jsii, fails the test with the panic's value.
func synthErrors(t *testing.T, build func(stack awscdk.Stack)) (errs []string) {
	t.Helper()
	defer func() {
		if v := recover(); v != nil {
			t.Fatalf("panic instead of an annotation: %v", v)
		}
	}()
	stack := newStack()
	build(stack)
	assertions.Annotations_FromStack(stack) // synthesizes: aspects add theirs
	return treeErrors(stack)
}

// wantError fails unless one of errs matches the regular expression want.
func wantError(t *testing.T, errs []string, want string) {
	t.Helper()
	re := regexp.MustCompile(want)
	for _, e := range errs {
		if re.MatchString(e) {
			return
		}
	}
	t.Errorf("no error annotation matches %q; got %q", want, errs)
}

// Events need the table's stream: without one, New reported nothing and
// then panicked on a nil publisher while building the alarms.
func TestEventsOnATableWithoutAStreamAreAnAnnotationErrorNotAPanic(t *testing.T) {
	errs := synthErrors(t, func(stack awscdk.Stack) {
		p := things(stack)
		p.Events = events() // NewTable has no Stream
		resourceapi.New(stack, "Things", p)
	})
	wantError(t, errs, `Events: .*Table.*stream`)
}

// Without the publisher's or the forwarder's entry, New panicked the same
// way.
func TestEventsWithoutTheirEntriesAreAnAnnotationErrorNotAPanic(t *testing.T) {
	for name, unset := range map[string]func(*eventfanout.Settings){
		"PublisherEntry": func(e *eventfanout.Settings) { e.PublisherEntry = "" },
		"ForwarderEntry": func(e *eventfanout.Settings) { e.ForwarderEntry = "" },
	} {
		t.Run(name, func(t *testing.T) {
			errs := synthErrors(t, func(stack awscdk.Stack) {
				p := things(stack)
				p.NewTable.Stream = true
				p.Events = events()
				unset(p.Events)
				resourceapi.New(stack, "Things", p)
			})
			wantError(t, errs, `Events\.`+name)
		})
	}
}

// Two tables given one LogicalID in a stack ended in a jsii panic at synth
// (CloudFormation's Resources cannot hold one id twice).
func TestAReusedTableLogicalIDIsAnAnnotationErrorNotAPanic(t *testing.T) {
	errs := synthErrors(t, func(stack awscdk.Stack) {
		p := things(stack)
		resourceapi.New(stack, "Things", p)
		other := p
		other.Name = "others-dev"
		resourceapi.New(stack, "Others", other) // NewTable.LogicalID "ThingsTable" again
	})
	wantError(t, errs, `LogicalID "ThingsTable" .*already`)
}

// invalid are the single mistakes the props tests combine, each with the
// prop its annotation must name. Each applies to what an earlier one left
// (an operation or a usage plan may be gone).
var invalid = []struct {
	prop  string
	apply func(*resourceapi.Props)
}{
	{`Name`, func(p *resourceapi.Props) { p.Name = "" }},
	{`UserPool`, func(p *resourceapi.Props) { p.UserPool = nil }},
	{`Table or NewTable`, func(p *resourceapi.Props) { p.NewTable = nil }},
	{`Operation`, func(p *resourceapi.Props) { p.Operations = nil }},
	{`Rollout.Strategy`, func(p *resourceapi.Props) { p.Rollout.Strategy = "big-bang" }},
	{`Disposable`, func(p *resourceapi.Props) { p.Name, p.Disposable = "things-prod", true }},
	{`Events: the Table needs a stream`, func(p *resourceapi.Props) { p.Events = events() }},
	{`Events.PublisherEntry`, func(p *resourceapi.Props) {
		p.Events = events()
		p.Events.PublisherEntry = ""
	}},
	{`Entry`, op(func(o *resourceapi.Operation) { o.Entry = "" })},
	{`Access`, op(func(o *resourceapi.Operation) { o.Access = resourceapi.TableAccess{} })},
	{`Scopes`, op(func(o *resourceapi.Operation) { o.Scopes = []string{"things/delete"} })},
	{`Throttle`, op(func(o *resourceapi.Operation) { o.Throttle = &restapi.Throttle{RateLimit: 1000, BurstLimit: 1} })},
	{`Idempotent: NewTable`, op(func(o *resourceapi.Operation) { o.Idempotent, o.Access = true, resourceapi.WriteAccess })},
	{`Access.Actions lacks`, op(func(o *resourceapi.Operation) { o.Idempotent, o.Access = true, resourceapi.ReadAccess })},
	{`Access.LeadingKeys`, op(func(o *resourceapi.Operation) {
		o.Idempotent, o.Access = true, resourceapi.WriteAccess
		o.Access.LeadingKeys = []string{"THING#*"}
	})},
	// Each of these made the CDK panic: a function's Timeout of no whole
	// seconds, two functions of one authorizer's name, a second HEAD.
	{`Timeout 1.5s`, op(func(o *resourceapi.Operation) { o.Timeout = 1500 * time.Millisecond })},
	{`MemoryMB 100000`, op(func(o *resourceapi.Operation) { o.MemoryMB = 100000 })},
	{`Functions: Timeout`, func(p *resourceapi.Props) { p.Functions.Timeout = time.Hour }},
	{`Authorizers\[1\]: Name`, func(p *resourceapi.Props) {
		a := resourceapi.Authorizer{Name: "partners", Entry: "constructs/gofunction/testdata/hello", AuthorizerSettings: restapi.AuthorizerSettings{
			Type: restapi.TokenAuthorizer, IdentitySources: []string{"method.request.header.Authorization"},
		}}
		p.Authorizers = []resourceapi.Authorizer{a, a}
		op(func(o *resourceapi.Operation) { o.Authorizer, o.Scopes = "partners", nil })(p)
	}},
	{`Method HEAD`, func(p *resourceapi.Props) {
		if len(p.Operations) > 0 && !slices.ContainsFunc(p.Operations, func(o resourceapi.Operation) bool { return o.Name == "head" }) {
			head := p.Operations[0]
			head.Name, head.Method = "head", "HEAD"
			p.Operations = append(p.Operations, head)
		}
	}},
	{`QuotaPerDay 0`, func(p *resourceapi.Props) {
		if len(p.API.UsagePlans) > 0 {
			p.API.UsagePlans[0].QuotaPerDay = 0
		}
	}},
	{`restapi: at least one UsagePlan`, func(p *resourceapi.Props) { p.API.UsagePlans = nil }},
	{`UsagePlans\[0\]`, func(p *resourceapi.Props) {
		if len(p.API.UsagePlans) > 0 {
			p.API.UsagePlans[0].Throttle.RateLimit = 500
		}
	}},
}

// op applies change to the first operation, if there is one.
func op(change func(*resourceapi.Operation)) func(*resourceapi.Props) {
	return func(p *resourceapi.Props) {
		if len(p.Operations) > 0 {
			change(&p.Operations[0])
		}
	}
}

// treeErrors are the error annotations in the tree under stack, read
// without synthesizing it.
func treeErrors(stack awscdk.Stack) []string {
	var errs []string
	for _, n := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		for _, m := range *n.Node().Metadata() {
			if *m.Type == "aws:cdk:error" {
				errs = append(errs, fmt.Sprint(m.Data))
			}
		}
	}
	return errs
}

// Every single mistake and every pair of them: New reports an error
// annotation naming one of them (New stops at its own mistakes before it
// builds the constructs it composes, and the second of a pair may undo
// the first), and never panics. The tree's annotations are
// read without a synth, which is what keeps the pairs cheap; the single
// mistakes are also synthesized, so a panic at synth would show.
func TestEveryCombinationOfInvalidPropsIsAnAnnotationNeverAPanic(t *testing.T) {
	combinations := 0
	for i := range invalid {
		for j := i; j < len(invalid); j++ {
			combinations++
			name := invalid[i].prop
			if i != j {
				name += " and " + invalid[j].prop
			}
			t.Run(name, func(t *testing.T) {
				build := func(stack awscdk.Stack) {
					p := things(stack)
					p.Operations = slices.Clone(p.Operations)
					p.API.UsagePlans = slices.Clone(p.API.UsagePlans)
					table := *p.NewTable
					p.NewTable = &table
					invalid[i].apply(&p)
					invalid[j].apply(&p)
					resourceapi.New(stack, "Things", p)
				}
				var errs []string
				if i == j {
					errs = synthErrors(t, build)
				} else {
					func() {
						defer func() {
							if v := recover(); v != nil {
								t.Fatalf("panic instead of an annotation: %v", v)
							}
						}()
						stack := newStack()
						build(stack)
						errs = treeErrors(stack)
					}()
				}
				if len(errs) == 0 {
					t.Fatal("no error annotation")
				}
				wantError(t, errs, invalid[i].prop+"|"+invalid[j].prop)
			})
		}
	}
	t.Logf("%d combinations of invalid props", combinations)
}

// Mistakes that passed synth before, each refused with the prop named,
// and the nearest correct props, which pass: a scope is checked against
// the resource servers of a pool defined in the app (an imported pool's
// are unknown), an Idempotent operation's table keys against those of a
// table New creates or the app defines (an imported table's are unknown).
func TestSynthRefusesWhatTheToolkitOrCognitoCannotServe(t *testing.T) {
	idempotent := func(p *resourceapi.Props) {
		p.NewTable.TTLAttribute = "expiresAt"
		p.Operations[0].Idempotent = true
		p.Operations[0].Access = resourceapi.WriteAccess
		p.Operations[0].Access.LeadingKeys = []string{"THING#*", "IDEMPOTENCY#*"}
	}
	for _, tc := range []struct {
		name   string
		change func(stack awscdk.Stack, p *resourceapi.Props)
		want   string // "" for no error
	}{
		{"a scope of the pool", func(awscdk.Stack, *resourceapi.Props) {}, ""},
		{"a scope the pool does not have", func(_ awscdk.Stack, p *resourceapi.Props) {
			p.Operations[0].Scopes = []string{"things/write"}
		}, `operation get: Scopes: "things/write" is not a scope of the UserPool's resource servers \(things/read\)`},
		{"any scope on an imported pool", func(stack awscdk.Stack, p *resourceapi.Props) {
			p.UserPool = awscognito.UserPool_FromUserPoolArn(stack, jsii.String("Central"), jsii.String("arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_abc"))
			p.Operations[0].Scopes = []string{"central/anything"}
		}, ""},
		{"an idempotent operation on a table that fits", func(_ awscdk.Stack, p *resourceapi.Props) { idempotent(p) }, ""},
		{"a new table without the TTL attribute", func(_ awscdk.Stack, p *resourceapi.Props) {
			idempotent(p)
			p.NewTable.TTLAttribute = ""
		}, `operation get is Idempotent: NewTable needs PartitionKey "pk", SortKey "sk" and TTLAttribute "expiresAt"`},
		{"an app's table with other keys", func(stack awscdk.Stack, p *resourceapi.Props) {
			idempotent(p)
			p.Table, p.NewTable = table.New(stack, "Other", table.Props{PartitionKey: "id", LogicalID: "OtherTable"}).Table, nil
		}, `operation get is Idempotent: Table's keys are "id" and ""`},
		{"an imported table", func(stack awscdk.Stack, p *resourceapi.Props) {
			idempotent(p)
			p.Table, p.NewTable = awsdynamodb.Table_FromTableName(stack, jsii.String("Imported"), jsii.String("things")), nil
		}, ""},
		{"access without UpdateItem", func(_ awscdk.Stack, p *resourceapi.Props) {
			idempotent(p)
			p.Operations[0].Access.Actions = []string{"dynamodb:GetItem", "dynamodb:PutItem"}
		}, `operation get is Idempotent: Access.Actions lacks dynamodb:UpdateItem`},
		{"leading keys without the records'", func(_ awscdk.Stack, p *resourceapi.Props) {
			idempotent(p)
			p.Operations[0].Access.LeadingKeys = []string{"THING#*", "IDEMPOTENCY"}
		}, `Access.LeadingKeys .* admit no record key; add "IDEMPOTENCY#\*"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := synthErrors(t, func(stack awscdk.Stack) {
				p := things(stack)
				tc.change(stack, &p)
				resourceapi.New(stack, "Things", p)
			})
			if tc.want == "" {
				if len(errs) > 0 {
					t.Errorf("errors %q, want none", errs)
				}
				return
			}
			wantError(t, errs, tc.want)
		})
	}
}
