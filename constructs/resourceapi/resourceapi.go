// Package resourceapi is the whole serverless API for one resource, as one
// construct: describe the resource's operations (method, path, Go handler
// package, OAuth scopes, JSON Schemas, table access) and get
//
//   - one Go Lambda per operation (constructs/gofunction), each allowed only
//     its own DynamoDB actions;
//   - a REST API where every method needs a Cognito token with the
//     operation's scopes and an API key, is validated against the schemas,
//     throttled, logged and optionally guarded by WAF (constructs/restapi);
//   - a DynamoDB table with point-in-time recovery (constructs/table), or
//     the one you pass in;
//   - optionally, business events from the table's stream through SNS and
//     SQS to EventBridge, with DLQs and an archive (constructs/eventfanout);
//   - alarms on every function, queue, rule, the table and the stage, a
//     composite "unhealthy" alarm, a dashboard and saved log queries
//     (constructs/monitoring).
//
// Stateful resources you want to keep apart (the table, the user pool) can
// be created in another stack and passed in. Invalid props are reported as
// error annotations on the construct, which fail synth with a clear message.
package resourceapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme/customers-api/constructs/eventfanout"
	"github.com/acme/customers-api/constructs/gofunction"
	"github.com/acme/customers-api/constructs/internal/cdkx"
	"github.com/acme/customers-api/constructs/monitoring"
	"github.com/acme/customers-api/constructs/restapi"
	"github.com/acme/customers-api/constructs/settings"
	"github.com/acme/customers-api/constructs/table"
	"github.com/acme/customers-api/lambdakit/envvars"
)

// TableAccess is what an operation's function may do to the table: Actions
// on the table (limited to items whose partition key starts with one of
// LeadingKeys, when given) and IndexActions on the named Indexes. Never use
// wildcard actions.
type TableAccess struct {
	Actions      []string
	LeadingKeys  []string
	IndexActions []string
	Indexes      []string
}

// ReadAccess and WriteAccess are the usual grants on the table itself.
var (
	ReadAccess  = TableAccess{Actions: []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}}
	WriteAccess = TableAccess{Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"}}
)

// Operation is one method of the resource API and its handler.
type Operation struct {
	// Name is short and unique, e.g. "create"; it names the function.
	Name string
	// Method and Path, e.g. "POST" and "/orders".
	Method, Path string
	// Entry is the handler's Go main package (see gofunction.Props.Entry).
	Entry string
	// Scopes are the OAuth scopes that allow the call.
	Scopes []string
	// BodyModel and BodySchema describe the request body (JSON Schema
	// draft-04); QuerySchema and PathSchema the parameters.
	BodyModel                           string
	BodySchema, QuerySchema, PathSchema []byte
	// Access is the function's table access.
	Access TableAccess
	// Write methods get Props.WriteThrottle.
	Write bool
	// Environment adds variables; envvars.TableName and
	// envvars.AllowedOrigins are set.
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
	// Table is an existing table; NewTable creates one (ignored when Table
	// is set).
	Table    awsdynamodb.ITable
	NewTable *table.Props
	// UserPool authenticates callers; create it with constructs/userpool
	// (in a stateful stack) or import a central one.
	UserPool awscognito.IUserPool
	// Functions are every function's settings (see gofunction.Settings);
	// Retain also keeps the API's logs and the event queues.
	Functions gofunction.Settings
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
}

// Rollout strategies: how much traffic a new version takes, and when (see
// settings.Strategy).
const (
	Canary    = settings.Canary
	Linear    = settings.Linear
	AllAtOnce = settings.AllAtOnce
)

// rolloutConfigs are CodeDeploy's predefined Lambda deployment
// configurations ("Deployment configurations on an AWS Lambda compute
// platform", CodeDeploy User Guide) for each of settings.Strategies.
var rolloutConfigs = map[settings.Strategy]func() awscodedeploy.ILambdaDeploymentConfig{
	"":        awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES,
	Canary:    awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES,
	Linear:    awscodedeploy.LambdaDeploymentConfig_LINEAR_10PERCENT_EVERY_1MINUTE,
	AllAtOnce: awscodedeploy.LambdaDeploymentConfig_ALL_AT_ONCE,
}

// Rollout is how a deploy moves each function's alias to its new version.
// CodeDeploy shifts the traffic and rolls back when the deployment fails or
// an alarm of the function (errors, throttles) or the API's 5XX rate fires.
type Rollout struct {
	// Strategy is Canary (the default), Linear or AllAtOnce.
	Strategy settings.Strategy
	// Off moves the aliases without CodeDeploy: no shifting, no rollback.
	// Only for throwaway stacks.
	Off bool
	// SmokeCheckEntry, when set, is the Go main package of a pre-traffic
	// hook (see lambdakit/smokecheck) that CodeDeploy runs against each API
	// function's new version before any traffic shifts; it gets the
	// version's ARN (envvars.SmokeTargetVersion) and the operation's name
	// (envvars.SmokeOperation). A failed check rolls the deployment back.
	SmokeCheckEntry string
}

// DeploymentGroups are the CodeDeploy deployment groups by function name
// ("publisher" and "forwarder" for the event functions).
type DeploymentGroups map[string]awscodedeploy.LambdaDeploymentGroup

// ResourceAPI is everything the construct created or was given.
type ResourceAPI struct {
	constructs.Construct
	Table awsdynamodb.ITable
	API   *restapi.RestAPI
	// Functions by operation name.
	Functions map[string]*gofunction.Function
	// Events is nil when Props.Events is nil.
	Events     *eventfanout.EventFanout
	Monitoring *monitoring.Monitoring
	// Deployments shift traffic to new versions (nil with Rollout.Off).
	Deployments DeploymentGroups
	// SmokeChecks are the pre-traffic hooks by operation name (with
	// Rollout.SmokeCheckEntry).
	SmokeChecks map[string]*gofunction.Function
}

// New creates the resource API.
func New(scope constructs.Construct, id string, p Props) *ResourceAPI {
	c := constructs.NewConstruct(scope, jsii.String(id))
	r := &ResourceAPI{Construct: c, Functions: map[string]*gofunction.Function{}}
	if !validate(c, p) {
		return r
	}
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
	gofunction.Prebuild(c, entries...)
	r.Table = p.Table
	if r.Table == nil {
		r.Table = table.New(c, "Table", *p.NewTable).Table
	}
	var ops []restapi.Operation
	for _, op := range p.Operations {
		env := map[string]string{envvars.TableName: *r.Table.TableName(), envvars.AllowedOrigins: strings.Join(p.API.CORSOrigins, ",")}
		for k, v := range op.Environment {
			env[k] = v
		}
		fn := gofunction.New(c, "Fn-"+op.Name, gofunction.Props{
			Entry: op.Entry, Description: fmt.Sprintf("%s: %s %s", p.Name, op.Method, op.Path),
			Settings: p.Functions, Environment: env,
		})
		grant(fn, r.Table, op.Access)
		r.Functions[op.Name] = fn
		var throttle *restapi.Throttle
		if op.Write {
			throttle = p.WriteThrottle
		}
		ops = append(ops, restapi.Operation{
			Method: op.Method, Path: op.Path, Handler: fn.Alias, Scopes: op.Scopes,
			BodyModel: op.BodyModel, BodySchema: op.BodySchema, QuerySchema: op.QuerySchema, PathSchema: op.PathSchema,
			Throttle: throttle,
		})
	}
	r.API = restapi.New(c, "Api", restapi.Props{
		Name: p.Name, Description: p.Description, Operations: ops, UserPool: p.UserPool,
		LogRetentionDays: p.Functions.LogRetentionDays, Retain: p.Functions.Retain, Settings: p.API,
	})
	if r.API.Stage == nil {
		return r // restapi reported invalid props
	}
	if e := p.Events; e != nil {
		r.Events = eventfanout.New(c, "Events", eventfanout.Props{Name: p.Name, Table: r.Table, Functions: p.Functions, Settings: *e})
	}
	r.smokeChecks(p)
	r.monitor(p)
	r.rollout(p)
	return r
}

// smokeChecks builds a pre-traffic hook per API operation, allowed to
// invoke only the version it checks.
func (r *ResourceAPI) smokeChecks(p Props) {
	if p.Rollout.Off || p.Rollout.SmokeCheckEntry == "" {
		return
	}
	r.SmokeChecks = map[string]*gofunction.Function{}
	for _, op := range p.Operations {
		target := r.Functions[op.Name].Function.CurrentVersion()
		hook := gofunction.New(r.Construct, "Smoke-"+op.Name, gofunction.Props{
			Entry: p.Rollout.SmokeCheckEntry, Description: fmt.Sprintf("%s: smoke check of %s %s before traffic shifts", p.Name, op.Method, op.Path),
			Settings:    gofunction.Settings{LogRetentionDays: p.Functions.LogRetentionDays, Retain: p.Functions.Retain},
			Environment: map[string]string{envvars.SmokeTargetVersion: *target.FunctionArn(), envvars.SmokeOperation: op.Name},
		})
		target.GrantInvoke(hook.Role)
		r.SmokeChecks[op.Name] = hook
	}
}

// rollout gives every function a deployment group that shifts its alias to
// each new version and rolls back on its own alarms and the API's 5XX rate.
func (r *ResourceAPI) rollout(p Props) {
	if p.Rollout.Off {
		return
	}
	functions := map[string]*gofunction.Function{}
	for name, fn := range r.Functions {
		functions[name] = fn
	}
	if r.Events != nil {
		functions["publisher"], functions["forwarder"] = r.Events.Publisher, r.Events.Forwarder
	}
	r.Deployments = DeploymentGroups{}
	for name, fn := range functions {
		alarms := []interfacesawscloudwatch.IAlarmRef{r.Monitoring.Alarms[name+"Errors"], r.Monitoring.Alarms[name+"Throttles"]}
		if _, api := r.Functions[name]; api {
			alarms = append(alarms, r.Monitoring.Alarms["Api5xxRate"])
		}
		var hook awslambda.IFunction
		if h, ok := r.SmokeChecks[name]; ok {
			hook = h.Alias
		}
		g := awscodedeploy.NewLambdaDeploymentGroup(r.Construct, jsii.String("Deploy-"+name), &awscodedeploy.LambdaDeploymentGroupProps{
			Alias: fn.Alias, DeploymentConfig: rolloutConfigs[p.Rollout.Strategy](), Alarms: &alarms, PreHook: hook,
			AutoRollback: &awscodedeploy.AutoRollbackConfig{FailedDeployment: jsii.Bool(true), StoppedDeployment: jsii.Bool(true), DeploymentInAlarm: jsii.Bool(true)},
		})
		cdknag.NagSuppressions_AddResourceSuppressions(g, &[]*cdknag.NagPackSuppression{{
			Id:        jsii.String("AwsSolutions-IAM4"),
			Reason:    jsii.String("CodeDeploy's service role for Lambda uses the AWS managed policy AWSCodeDeployRoleForLambdaLimited, as AWS documents it."),
			AppliesTo: &[]any{jsii.String("Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited")},
		}}, jsii.Bool(true))
		// The alias names its deployment group and hook only inside its
		// UpdatePolicy, and CloudFormation orders resources by Ref and
		// Fn::GetAtt in properties and by DependsOn ("DependsOn attribute",
		// CloudFormation User Guide): without these, a deploy may update the
		// alias before the group or the hook that checks the new version.
		fn.Alias.Node().AddDependency(g)
		if hook != nil {
			fn.Alias.Node().AddDependency(hook)
		}
		r.Deployments[name] = g
	}
}

func validate(c constructs.Construct, p Props) bool {
	var problems []string
	if p.Name == "" {
		problems = append(problems, "Name is required")
	}
	if p.UserPool == nil {
		problems = append(problems, "UserPool is required: every method needs a Cognito token")
	}
	if p.Table == nil && p.NewTable == nil {
		problems = append(problems, "Table or NewTable is required")
	}
	if len(p.Operations) == 0 {
		problems = append(problems, "at least one Operation is required")
	}
	if _, ok := rolloutConfigs[p.Rollout.Strategy]; !ok {
		problems = append(problems, fmt.Sprintf("Rollout.Strategy %q must be %s, %s or %s", p.Rollout.Strategy, Canary, Linear, AllAtOnce))
	}
	names := map[string]bool{}
	for i, op := range p.Operations {
		switch {
		case op.Name == "" || names[op.Name]:
			problems = append(problems, fmt.Sprintf("Operations[%d]: Name %q must be set and unique", i, op.Name))
		case op.Entry == "":
			problems = append(problems, fmt.Sprintf("operation %s: Entry (the handler's Go package) is required", op.Name))
		case len(op.Access.Actions) == 0 && len(op.Access.IndexActions) == 0:
			problems = append(problems, fmt.Sprintf("operation %s: Access is required (for example resourceapi.ReadAccess)", op.Name))
		case slices.ContainsFunc(append(slices.Clone(op.Access.Actions), op.Access.IndexActions...), func(a string) bool { return strings.Contains(a, "*") }):
			problems = append(problems, fmt.Sprintf("operation %s: Access must not use wildcard actions", op.Name))
		case (len(op.Access.IndexActions) == 0) != (len(op.Access.Indexes) == 0):
			problems = append(problems, fmt.Sprintf("operation %s: Access needs both IndexActions and Indexes, or neither", op.Name))
		}
		names[op.Name] = true
	}
	for _, msg := range problems {
		cdkx.Error(c, "resourceapi: %s", msg)
	}
	return len(problems) == 0
}

// grant gives fn exactly the table access of its operation.
func grant(fn *gofunction.Function, t awsdynamodb.ITable, a TableAccess) {
	if len(a.Actions) > 0 {
		st := &awsiam.PolicyStatementProps{Actions: jsii.Strings(a.Actions...), Resources: jsii.Strings(*t.TableArn())}
		if len(a.LeadingKeys) > 0 {
			st.Conditions = &map[string]any{"ForAllValues:StringLike": map[string]any{"dynamodb:LeadingKeys": a.LeadingKeys}}
		}
		fn.Role.AddToPolicy(awsiam.NewPolicyStatement(st))
	}
	if len(a.IndexActions) > 0 {
		var arns []string
		for _, ix := range a.Indexes {
			arns = append(arns, *t.TableArn()+"/index/"+ix)
		}
		fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings(a.IndexActions...), Resources: jsii.Strings(arns...),
		}))
	}
}

// indexes are the table's global secondary indexes: those of a new table
// and those the operations query.
func indexes(p Props) []string {
	var out []string
	if p.NewTable != nil && p.Table == nil {
		for _, ix := range p.NewTable.Indexes {
			out = append(out, ix.Name)
		}
	}
	for _, op := range p.Operations {
		out = append(out, op.Access.Indexes...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// monitor alarms on every part of the request and event paths.
func (r *ResourceAPI) monitor(p Props) {
	m := monitoring.New(r.Construct, "Monitoring", monitoring.Props{
		Name: p.Name, Retain: p.Functions.Retain, Settings: p.Alarms,
	})
	r.Monitoring = m
	var routes []monitoring.Route
	for _, op := range p.Operations {
		routes = append(routes, monitoring.Route{Method: op.Method, Path: op.Path})
	}
	// Subsystems, each one incident at a time: the API, each operation
	// (its function and smoke check), the table, the alarm e-mails and the
	// event path.
	m.Subsystem("api")
	m.API(r.API.Api, r.API.StageName, routes)
	if r.API.WebACL != nil {
		m.WAF(r.API.WebACL.MetricName)
	}
	timeout := cdkx.OrDefault(p.Functions.Timeout, gofunction.DefaultTimeout)
	var logs []awslogs.ILogGroup
	for _, op := range p.Operations {
		m.Subsystem(op.Name)
		m.Function(op.Name, r.Functions[op.Name].Function, timeout)
		logs = append(logs, r.Functions[op.Name].LogGroup)
		if hook, ok := r.SmokeChecks[op.Name]; ok {
			m.Function(op.Name+"SmokeCheck", hook.Function, gofunction.DefaultTimeout)
		}
	}
	m.Subsystem("data")
	m.Table("Table", r.Table, indexes(p))
	m.Subsystem("alarms")
	for _, dlq := range []struct {
		name string
		q    awssqs.IQueue
	}{{"AlarmEmailDLQ", m.EmailDLQ}, {"NotifyEmailDLQ", m.NotifyTopic.EmailDLQ}} {
		if dlq.q != nil {
			m.DLQ(dlq.name, dlq.q, "the alarm topics' e-mail subscriptions")
		}
	}
	if f := r.Events; f != nil {
		m.Subsystem("events")
		m.Function("publisher", f.Publisher.Function, timeout)
		m.Function("forwarder", f.Forwarder.Function, timeout)
		lag := []awscloudwatch.IMetric{m.StreamConsumer("Publisher", f.Publisher.Function), m.Queue("ForwardQueue", f.ForwardQueue)}
		dlqs := []awscloudwatch.IMetric{
			m.DLQ("PublisherDLQ", f.PublisherDLQ, "the stream publisher"),
			m.DLQ("ForwardDLQ", f.ForwardDLQ, "the forwarder"),
		}
		for _, sub := range []string{"forward", "email"} {
			if q, ok := f.SubscriptionDLQs[sub]; ok {
				dlqs = append(dlqs, m.DLQ("Subscription"+strings.ToUpper(sub[:1])+sub[1:]+"DLQ", q, "the topic's "+sub+" subscription"))
			}
		}
		m.Deliveries("EventTopic", f.Topic)
		for _, rule := range p.Events.Rules {
			t := f.Targets[rule.Name]
			m.Rule("Rule"+rule.Name, t.Rule, f.Bus)
			lag = append(lag, m.ConsumerQueue("Target"+rule.Name, t.Queue))
			dlqs = append(dlqs, m.DLQ("Target"+rule.Name+"DLQ", t.DLQ, "EventBridge (rule "+rule.Name+")"))
		}
		m.EventPipeline(lag, dlqs)
	}
	m.LogQueries(logs)
	m.Finish()
}
