// Package resourceapi is the whole serverless API for one resource, as one
// construct: describe the resource's operations (method, path, Go handler
// package, OAuth scopes, JSON Schemas, table access) and get
//
//   - one Go Lambda per operation (constructs/gofunction), each allowed only
//     its own DynamoDB actions;
//   - a REST API where every method needs an API key and a Cognito token
//     with the operation's scopes (or, per operation, a Lambda authorizer
//     built from a Go package, or IAM SigV4 for service-to-service callers,
//     see GrantInvoke), is validated against the schemas, throttled, logged
//     and optionally guarded by WAF (constructs/restapi);
//   - a DynamoDB table with point-in-time recovery (constructs/table), or
//     the one you pass in;
//   - optionally, business events from the table's stream through SNS and
//     SQS to EventBridge, with DLQs and an archive (constructs/eventfanout);
//   - alarms on every function, queue, rule, the table and the stage, a
//     composite "unhealthy" alarm, a dashboard and saved log queries
//     (constructs/monitoring).
//
// Stateful resources you want to keep apart (the table, the user pool) can
// be created in another stack and passed in; those it creates are retained
// with the stack unless Props.Disposable. Invalid props are reported as
// error annotations on the construct, each naming the prop, which fail
// synth; New never panics. Synth also refuses what would deploy but not
// work: a scope the pool's resource servers do not have, a body schema
// that is not draft 4, a throttle above the stage's, an Idempotent
// operation whose table or access lambdakit/idempotency cannot use, and a
// method added to the API by hand without an authorizer.
package resourceapi

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/eventfanout"
	"github.com/acme/customers-api/constructs/gofunction"
	"github.com/acme/customers-api/constructs/internal/cdkx"
	"github.com/acme/customers-api/constructs/monitoring"
	"github.com/acme/customers-api/constructs/restapi"
	"github.com/acme/customers-api/constructs/table"
	"github.com/acme/customers-api/lambdakit/envvars"
)

// Operation is one method of the resource API and its handler.
type Operation struct {
	// Name is short and unique, e.g. "create"; it names the function.
	Name string
	// Method and Path, e.g. "POST" and "/orders".
	Method, Path string
	// Entry is the handler's Go main package (see gofunction.Props.Entry).
	Entry string
	// Scopes are the OAuth scopes that allow the call with a Cognito
	// token. Required unless IAM or Authorizer is set; not allowed with
	// them.
	Scopes []string
	// IAM authorizes the operation by SigV4 and the caller's IAM policies
	// instead of Cognito, for service-to-service callers; allow a role
	// with ResourceAPI.GrantInvoke. Default: false.
	IAM bool
	// Authorizer names one of Props.Authorizers, a Lambda authorizer, to
	// authorize the operation instead of Cognito. Default: "".
	Authorizer string
	// BodyModel and BodySchema describe the request body (JSON Schema
	// draft-04); QuerySchema and PathSchema the parameters.
	BodyModel                           string
	BodySchema, QuerySchema, PathSchema []byte
	// Access is the function's table access.
	Access TableAccess
	// Idempotent says the handler keeps lambdakit/idempotency records in
	// the table (Store.Do or Store.Commit): New then requires the table's
	// keys and TTL attribute to be the ones the records use and Access to
	// hold the actions and leading keys the store needs (see
	// lambdakit/idempotency/layout). Default: false.
	Idempotent bool
	// Write methods get Props.WriteThrottle.
	Write bool
	// Throttle, when set, is this method's throttle, in place of the
	// stage's (or, for a Write method, Props.WriteThrottle). Its rate and
	// burst must not exceed the stage's. Default: nil.
	Throttle *restapi.Throttle
	// MemoryMB and Timeout, when set, replace Props.Functions' for this
	// operation's function; its DurationNearTimeout alarm follows Timeout.
	// Default: Props.Functions' (whose defaults are gofunction's); the
	// limits are Lambda's (see gofunction.Settings.Problems).
	MemoryMB int
	Timeout  time.Duration
	// Environment adds variables; envvars.TableName,
	// envvars.AllowedOrigins and, when API.ProblemTypeBase is set,
	// envvars.ProblemTypeBase are set.
	Environment map[string]string
}

// Props describes a resource API. Name, Operations, UserPool,
// API.UsagePlans, API.Throttle and one of Table or NewTable are required.
// The settings of the constructs it composes are their own types, passed
// on whole.
type Props struct {
	// Name prefixes resource names, e.g. "orders-dev".
	Name        string
	Description string
	Operations  []Operation
	// Table is an existing table; NewTable creates one. Set one of them.
	Table    awsdynamodb.ITable
	NewTable *table.Props
	// UserPool authenticates callers; create it with constructs/userpool
	// (in a stateful stack) or import a central one. Required when an
	// operation has neither IAM nor Authorizer.
	UserPool awscognito.IUserPool
	// Authorizers are Lambda authorizers built from Go packages; an
	// operation names one in Operation.Authorizer.
	Authorizers []Authorizer
	// Functions are every function's settings (see gofunction.Settings);
	// Retain also keeps the API's logs and the event queues. Unless
	// Disposable, Retain is on whatever it says here.
	Functions gofunction.Settings
	// Disposable lets the stack's deletion delete what it holds: the table
	// New creates (and its deletion protection) follows NewTable.Retain,
	// and the logs, queues, keys and bus follow Functions.Retain, both
	// false unless set. Only for throwaway environments; a Name ending in
	// "-prod" cannot be Disposable.
	// Default: false: everything stateful is retained (RemovalPolicy
	// RETAIN, the table with deletion protection), whatever the Retain
	// fields say.
	Disposable bool
	// API is the front door (see restapi.Settings); WriteThrottle, when
	// set, replaces the stage throttle on Write operations.
	API           restapi.Settings
	WriteThrottle *restapi.Throttle
	// Events, when set, publishes business events from the table's stream
	// (see eventfanout.Settings).
	Events *eventfanout.Settings
	// Alarms configures the monitoring (see monitoring.Settings): who is
	// paged, thresholds, the EMF namespace.
	Alarms monitoring.Settings
	// Rollout is how each function's new version takes traffic.
	Rollout Rollout
	// MoreAlarms, when set, is called once the functions, API, table,
	// events and alarms exist (not yet the deployment groups), before the
	// monitoring's Finish: page your own alarms there with
	// r.Monitoring.Page(subsystem, alarms...) (a subsystem of your own, or
	// one of New's: "api", an operation's name, "data", "alarms",
	// "events"), so that they join a paging composite and Unhealthy.
	// Alarms paged after New returns can only form a new subsystem, outside
	// Unhealthy. Default: nil.
	MoreAlarms func(r *ResourceAPI)
}

// ResourceAPI is everything the construct created or was given.
type ResourceAPI struct {
	constructs.Construct
	Table awsdynamodb.ITable
	API   *restapi.RestAPI
	// Functions by operation name.
	Functions map[string]*gofunction.Function
	// Authorizers are the Lambda authorizers' functions by name.
	Authorizers map[string]*gofunction.Function
	// Events is nil when Props.Events is nil.
	Events     *eventfanout.EventFanout
	Monitoring *monitoring.Monitoring
	// Deployments shift traffic to new versions (nil with Rollout.Off).
	Deployments DeploymentGroups
	// SmokeChecks are the pre-traffic hooks by operation name (with
	// Rollout.SmokeCheckEntry).
	SmokeChecks map[string]*gofunction.Function

	operations map[string]Operation // by name
}

// New creates the resource API. Invalid props are error annotations on
// the construct, each naming the prop, which fail synth; New then builds
// nothing more, and never panics.
func New(scope constructs.Construct, id string, p Props) *ResourceAPI {
	c := constructs.NewConstruct(scope, jsii.String(id))
	r := &ResourceAPI{Construct: c, Functions: map[string]*gofunction.Function{}, Authorizers: map[string]*gofunction.Function{}, operations: map[string]Operation{}}
	if !validate(c, p) {
		return r
	}
	p = retained(p)
	var entries []string
	for _, op := range p.Operations {
		entries = append(entries, op.Entry)
	}
	if !p.Rollout.Off {
		entries = append(entries, p.Rollout.SmokeCheckEntry)
	}
	if p.Events != nil {
		entries = append(entries, p.Events.PublisherEntry, p.Events.ForwarderEntry)
	}
	entries = append(entries, authorizerEntries(p)...)
	gofunction.Prebuild(c, entries...)
	r.Table = p.Table
	if r.Table == nil {
		r.Table = table.New(c, "Table", *p.NewTable).Table
	}
	var ops []restapi.Operation
	for _, op := range p.Operations {
		env := map[string]string{envvars.TableName: *r.Table.TableName(), envvars.AllowedOrigins: strings.Join(p.API.CORSOrigins, ",")}
		if p.API.ProblemTypeBase != "" {
			env[envvars.ProblemTypeBase] = p.API.ProblemTypeBase
		}
		for k, v := range op.Environment {
			env[k] = v
		}
		fn := gofunction.New(c, "Fn-"+op.Name, gofunction.Props{
			Entry: op.Entry, Description: fmt.Sprintf("%s: %s %s", p.Name, op.Method, op.Path),
			Settings: functionSettings(p, op), Environment: env,
		})
		grant(fn, r.Table, op.Access)
		r.Functions[op.Name] = fn
		r.operations[op.Name] = op
		throttle := op.Throttle
		if throttle == nil && op.Write {
			throttle = p.WriteThrottle
		}
		ops = append(ops, restapi.Operation{
			Method: op.Method, Path: op.Path, Handler: fn.Alias, Scopes: op.Scopes, IAM: op.IAM, Authorizer: op.Authorizer,
			BodyModel: op.BodyModel, BodySchema: op.BodySchema, QuerySchema: op.QuerySchema, PathSchema: op.PathSchema,
			Throttle: throttle,
		})
	}
	r.API = restapi.New(c, "Api", restapi.Props{
		Name: p.Name, Description: p.Description, Operations: ops, UserPool: p.UserPool, Authorizers: r.authorizers(p),
		LogRetentionDays: p.Functions.LogRetentionDays, Retain: p.Functions.Retain, Settings: p.API,
	})
	if r.API.Stage == nil {
		return r // restapi reported invalid props
	}
	if e := p.Events; e != nil {
		r.Events = eventfanout.New(c, "Events", eventfanout.Props{Name: p.Name, Table: r.Table, Functions: p.Functions, Settings: *e})
		if r.Events.Publisher == nil || r.Events.Forwarder == nil {
			return r // eventfanout reported invalid props
		}
	}
	r.smokeChecks(p)
	r.monitor(p)
	r.rollout(p)
	return r
}

// retained is p with every Retain on, unless p is Disposable.
func retained(p Props) Props {
	if p.Disposable {
		return p
	}
	p.Functions.Retain = true
	if p.NewTable != nil {
		t := *p.NewTable
		t.Retain = true
		p.NewTable = &t
	}
	return p
}

// functionSettings are Props.Functions with the operation's own memory
// and timeout.
func functionSettings(p Props, op Operation) gofunction.Settings {
	s := p.Functions
	s.MemoryMB = cdkx.OrDefault(op.MemoryMB, s.MemoryMB)
	s.Timeout = cdkx.OrDefault(op.Timeout, s.Timeout)
	return s
}
