package test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/acme/customers-api/cdktest/cfnref"
	"github.com/acme/customers-api/cdktest/policysim"
	"github.com/acme/customers-api/stacks"
)

// Delivery: every path that a service or an operator must pass to deliver
// or recover something, proven by evaluating the synthesized resource
// policy, key policy and identity-based policies (cdktest/policysim)
// for the exact request the service documents, and for near misses that
// must not pass.

var deliveryTable = flag.String("delivery-table", "", "write prod's delivery table (edge, request, expected, evaluated) as Markdown to this file")

// otherAccount stands for an account that is not the environment's.
const otherAccount = "999999999999"

// check is one request and the decision expected for it.
type check struct {
	edge, request string
	req           policysim.Request
	on            policysim.Target
	allow         bool
}

// deliveries is one environment's templates, resolved, and the policies in
// them by the ARN of what they are attached to.
type deliveries struct {
	t        *testing.T
	s        *stacks.Deployment
	ts       *cfnref.Templates
	account  string
	region   string
	policies map[string]*policysim.Policy   // topic, queue, key or function ARN → its resource policy
	keyOf    map[string]string              // topic or queue ARN → its KMS key's ARN
	identity map[string][]*policysim.Policy // role ARN → its identity-based policies
	trust    map[string]*policysim.Policy   // role ARN → its trust policy
	checks   []check
}

func newDeliveries(t *testing.T, s *stacks.Deployment) *deliveries {
	t.Helper()
	ts, err := cfnref.Load(assemblyDir, "Customers-"+s.Env.Name+"-")
	if err != nil {
		t.Fatal(err)
	}
	ts.Account, ts.Region = s.Env.Account, s.Env.Region
	d := &deliveries{t: t, s: s, ts: ts, account: s.Env.Account, region: s.Env.Region,
		policies: map[string]*policysim.Policy{}, keyOf: map[string]string{},
		identity: map[string][]*policysim.Policy{}, trust: map[string]*policysim.Policy{}}
	d.index()
	return d
}

func (d *deliveries) str(r cfnref.Resource, v any) string {
	d.t.Helper()
	s, err := d.ts.String(r.Stack, v)
	if err != nil {
		d.t.Fatalf("%s: %v", r.Key(), err)
	}
	return s
}

func (d *deliveries) getAtt(r cfnref.Resource, attr string) string {
	d.t.Helper()
	s, err := d.ts.GetAtt(r, attr)
	if err != nil {
		d.t.Fatal(err)
	}
	return s
}

// resource is the resource a Ref or Fn::GetAtt in r's template names.
func (d *deliveries) resource(r cfnref.Resource, v any) cfnref.Resource {
	d.t.Helper()
	target, ok := d.ts.Lookup(r.Stack, v)
	if !ok {
		d.t.Fatalf("%s: %v names no resource of its template", r.Key(), v)
	}
	return target
}

// policy resolves a policy document of r and parses it.
func (d *deliveries) policy(r cfnref.Resource, doc any) *policysim.Policy {
	d.t.Helper()
	p, err := policysim.TemplatePolicy(d.ts, r, doc)
	if err != nil {
		d.t.Fatal(err)
	}
	return p
}

// items is a template list; anything else (an absent property) is none.
func items(v any) []any {
	l, _ := v.([]any)
	return l
}

// index collects every resource-based, key, trust and identity-based
// policy of the environment.
func (d *deliveries) index() {
	for _, r := range d.ts.Resources("AWS::SNS::TopicPolicy") {
		for _, topic := range items(r.Properties["Topics"]) {
			d.attach(d.str(r, topic), d.policy(r, r.Properties["PolicyDocument"]))
		}
	}
	for _, r := range d.ts.Resources("AWS::SQS::QueuePolicy") {
		for _, queue := range items(r.Properties["Queues"]) {
			d.attach(d.getAtt(d.resource(r, queue), "Arn"), d.policy(r, r.Properties["PolicyDocument"]))
		}
	}
	for _, r := range d.ts.Resources("AWS::KMS::Key") {
		d.attach(d.getAtt(r, "Arn"), d.policy(r, r.Properties["KeyPolicy"]))
	}
	for typ, arn := range map[string]string{"AWS::SNS::Topic": "TopicArn", "AWS::SQS::Queue": "Arn"} {
		for _, r := range d.ts.Resources(typ) {
			if key, ok := r.Properties["KmsMasterKeyId"]; ok {
				d.keyOf[d.getAtt(r, arn)] = d.getAtt(d.resource(r, key), "Arn")
			}
		}
	}
	d.lambdaPermissions()
	for _, r := range d.ts.Resources("AWS::IAM::Role") {
		d.trust[d.getAtt(r, "Arn")] = d.policy(r, r.Properties["AssumeRolePolicyDocument"])
	}
	var err error
	if d.identity, err = policysim.IdentityPolicies(d.ts); err != nil {
		d.t.Fatal(err)
	}
}

func (d *deliveries) attach(arn string, p *policysim.Policy) {
	if d.policies[arn] != nil {
		d.t.Fatalf("%s has two resource policies; policysim evaluates one", arn)
	}
	d.policies[arn] = p
}

// lambdaPermissions attaches the resource-based policy Lambda builds from
// the AWS::Lambda::Permission resources to each function, version or alias
// (policysim.LambdaPolicies).
func (d *deliveries) lambdaPermissions() {
	policies, err := policysim.LambdaPolicies(d.ts)
	if err != nil {
		d.t.Fatal(err)
	}
	for fn, p := range policies {
		d.attach(fn, p)
	}
}

// functionARN is the ARN of a function given by name, name:qualifier or
// ARN, as Lambda's FunctionName parameters accept.
func (d *deliveries) functionARN(name string) string {
	if strings.HasPrefix(name, "arn:") {
		return name
	}
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", d.region, d.account, name)
}

// target is the resource an ARN names: its account, its policy and whether
// that policy must allow by itself (KMS keys, role trust policies).
func (d *deliveries) target(arn string) policysim.Target {
	if strings.HasPrefix(arn, "arn:aws:iam:") {
		return policysim.Target{Account: d.account, Policy: d.trust[arn], MustAllow: true}
	}
	return policysim.Target{Account: d.account, Policy: d.policies[arn], MustAllow: strings.HasPrefix(arn, "arn:aws:kms:")}
}

// expect records a request and whether it must be allowed.
func (d *deliveries) expect(edge, request string, req policysim.Request, on policysim.Target, allow bool) {
	d.checks = append(d.checks, check{edge: edge, request: request, req: req, on: on, allow: allow})
}

// service records a service principal's request on resource (and on the
// resource's KMS key, with the actions the key needs) with the source the
// service documents, expected to be allowed, and the same request from
// another account and from each of otherSources, expected not to be.
func (d *deliveries) service(edge, service, action, resource, source string, keyActions []string, otherSources ...string) {
	ctx := func(account, source string) map[string]string {
		return map[string]string{"aws:SourceArn": source, "aws:SourceAccount": account, "aws:SecureTransport": "true"}
	}
	send := func(action, on, account, source string) policysim.Request {
		return policysim.Request{Principal: policysim.Principal{Service: service}, Action: action, Resource: on, Context: ctx(account, source)}
	}
	foreign := strings.Replace(source, ":"+d.account+":", ":"+otherAccount+":", 1)
	targets := map[string][]string{resource: {action}}
	if key, ok := d.keyOf[resource]; ok {
		targets[key] = keyActions
	}
	for on, actions := range targets {
		for _, a := range actions {
			what := fmt.Sprintf("%s %s on %s from %s", service, a, on, source)
			d.expect(edge, what, send(a, on, d.account, source), d.target(on), true)
			d.expect(edge, "the same from another account ("+foreign+")", send(a, on, otherAccount, foreign), d.target(on), false)
			for _, other := range otherSources {
				d.expect(edge, "the same from "+other, send(a, on, d.account, other), d.target(on), false)
			}
		}
	}
}

// role records role's request on resource (and on its key) expected to be
// allowed, and the same request from the same role name in another account
// and from unrelated, expected not to be.
func (d *deliveries) role(edge, role string, actions []string, resource string, keyActions []string, unrelated string) {
	send := func(who, action, on string) policysim.Request {
		return policysim.Request{Principal: policysim.Principal{ARN: who, Identity: d.identity[who]}, Action: action, Resource: on,
			Context: map[string]string{"aws:SecureTransport": "true"}}
	}
	foreign := strings.Replace(role, ":"+d.account+":", ":"+otherAccount+":", 1)
	targets := map[string][]string{resource: actions}
	if key, ok := d.keyOf[resource]; ok {
		targets[key] = keyActions
	}
	for on, actions := range targets {
		for _, a := range actions {
			d.expect(edge, fmt.Sprintf("%s %s on %s", role, a, on), send(role, a, on), d.target(on), true)
			foreignReq := send(foreign, a, on)
			foreignReq.Principal.Identity = d.identity[role] // the same policies, in another account
			d.expect(edge, "the same by "+foreign, foreignReq, d.target(on), false)
			d.expect(edge, "the same by "+unrelated, send(unrelated, a, on), d.target(on), false)
		}
	}
}

// run evaluates every recorded check and fails the test on each decision
// that is not the expected one.
func (d *deliveries) run() {
	d.t.Helper()
	if len(d.checks) == 0 {
		d.t.Fatal("no delivery edge found: the test would prove nothing")
	}
	for _, c := range d.checks {
		got, err := policysim.Evaluate(c.req, c.on)
		if err != nil {
			d.t.Errorf("%s: %s: %v", c.edge, c.request, err)
			continue
		}
		if (got == policysim.Allow) != c.allow {
			d.t.Errorf("%s: %s: %v, want %s", c.edge, c.request, got, want(c.allow))
		}
		if *deliveryTable != "" && d.s.Env.Name == "prod" {
			writeDeliveryRow(d.t, fmt.Sprintf("| %s | %s | %s | %v |\n", c.edge, strings.ReplaceAll(c.request, "|", `\|`), want(c.allow), got))
		}
	}
}

var tableHeader sync.Once

// writeDeliveryRow appends a row to -delivery-table, which the first row
// of the run starts afresh with the header.
func writeDeliveryRow(t *testing.T, row string) {
	tableHeader.Do(func() {
		if err := os.WriteFile(*deliveryTable, []byte("| edge | request | expected | evaluated |\n|---|---|---|---|\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	})
	f, err := os.OpenFile(*deliveryTable, os.O_APPEND|os.O_WRONLY, 0o644)
	if err == nil {
		_, err = f.WriteString(row)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

func want(allow bool) string {
	if allow {
		return "Allow"
	}
	return "not Allow"
}

// inEveryEnvironmentDeliver runs edges against every environment.
func inEveryEnvironmentDeliver(t *testing.T, edges func(d *deliveries)) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			d := newDeliveries(t, s)
			edges(d)
			d.run()
		})
	}
}

// alarmActions are the SNS topics an alarm notifies, in any state.
func (d *deliveries) alarmActions(r cfnref.Resource) []string {
	var out []string
	for _, prop := range []string{"AlarmActions", "OKActions", "InsufficientDataActions"} {
		for _, a := range items(r.Properties[prop]) {
			if arn := d.str(r, a); strings.HasPrefix(arn, "arn:aws:sns:") {
				out = append(out, arn)
			} else {
				d.t.Fatalf("%s: alarm action %s is not modelled", r.Key(), arn)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestCloudWatchCanNotifyEveryTopicAnAlarmNotifies: for every alarm action
// on an SNS topic, CloudWatch's sns:Publish (and kms:GenerateDataKey and
// kms:Decrypt on the topic's key), with the alarm as aws:SourceArn, is
// allowed; the same from another account, or for an alarm whose name is
// not the service's, is not. CloudWatch documents the request: a
// cloudwatch.amazonaws.com principal with the alarm's ARN and account
// (https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger).
func TestCloudWatchCanNotifyEveryTopicAnAlarmNotifies(t *testing.T) {
	inEveryEnvironmentDeliver(t, func(d *deliveries) {
		for _, typ := range []string{"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"} {
			for _, r := range d.ts.Resources(typ) {
				alarm := d.getAtt(r, "Arn")
				stranger := fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:someone-elses-alarm", d.region, d.account)
				for _, topic := range d.alarmActions(r) {
					d.service("CloudWatch → alarm topic", "cloudwatch.amazonaws.com", "sns:Publish", topic, alarm,
						[]string{"kms:GenerateDataKey", "kms:Decrypt"}, stranger)
				}
			}
		}
	})
}

// TestSNSCanDeliverToEverySubscribedQueueAndDLQ: SNS's sqs:SendMessage to
// every subscribed queue and every subscription's dead-letter queue, with
// the topic as aws:SourceArn ("Sending Amazon SNS messages to an Amazon
// SQS queue" and "Configuring an Amazon SNS dead-letter queue for a
// subscription" in the SNS guide), is allowed; from another topic it is
// not.
func TestSNSCanDeliverToEverySubscribedQueueAndDLQ(t *testing.T) {
	inEveryEnvironmentDeliver(t, func(d *deliveries) {
		for _, r := range d.ts.Resources("AWS::SNS::Subscription") {
			topic := d.str(r, r.Properties["TopicArn"])
			stranger := fmt.Sprintf("arn:aws:sns:%s:%s:another-topic", d.region, d.account)
			if d.str(r, r.Properties["Protocol"]) == "sqs" {
				d.service("SNS → subscribed queue", "sns.amazonaws.com", "sqs:SendMessage", d.str(r, r.Properties["Endpoint"]), topic,
					[]string{"kms:GenerateDataKey", "kms:Decrypt"}, stranger)
			}
			if rp, ok := r.Properties["RedrivePolicy"].(map[string]any); ok {
				d.service("SNS → subscription DLQ", "sns.amazonaws.com", "sqs:SendMessage", d.str(r, rp["deadLetterTargetArn"]), topic,
					[]string{"kms:GenerateDataKey", "kms:Decrypt"}, stranger)
			}
		}
	})
}

// TestEventBridgeCanDeliverToEveryRuleTargetAndItsDLQ: EventBridge's
// sqs:SendMessage to each rule's target queue and the target's dead-letter
// queue, with the rule as aws:SourceArn ("Using resource-based policies for
// Amazon EventBridge", Amazon SQS permissions; "Using dead-letter queues to
// process undelivered events"), is allowed; for another rule it is not.
func TestEventBridgeCanDeliverToEveryRuleTargetAndItsDLQ(t *testing.T) {
	inEveryEnvironmentDeliver(t, func(d *deliveries) {
		rules := d.ts.Resources("AWS::Events::Rule")
		for i, r := range rules {
			rule := d.getAtt(r, "Arn")
			other := d.getAtt(rules[(i+1)%len(rules)], "Arn")
			if other == rule {
				other = rule + "-other"
			}
			for _, target := range items(r.Properties["Targets"]) {
				tgt, _ := target.(map[string]any)
				arn := d.str(r, tgt["Arn"])
				if !strings.HasPrefix(arn, "arn:aws:sqs:") {
					d.t.Fatalf("%s: target %s is not modelled", r.Key(), arn)
				}
				d.service("EventBridge → rule target", "events.amazonaws.com", "sqs:SendMessage", arn, rule, []string{"kms:GenerateDataKey", "kms:Decrypt"}, other)
				if dlc, ok := tgt["DeadLetterConfig"].(map[string]any); ok {
					d.service("EventBridge → target DLQ", "events.amazonaws.com", "sqs:SendMessage", d.str(r, dlc["Arn"]), rule, []string{"kms:GenerateDataKey", "kms:Decrypt"}, other)
				} else {
					d.t.Errorf("%s: target %s has no dead-letter queue", r.Key(), arn)
				}
			}
		}
	})
}

// lambdaIntegration is a Lambda proxy integration's URI; it names the
// function (here an alias) API Gateway invokes ("Set up a Lambda proxy
// integration", the integration's uri).
var lambdaIntegration = regexp.MustCompile(`^arn:aws:apigateway:[^:]+:lambda:path/2015-03-31/functions/(arn:aws:lambda:.+)/invocations$`)

// TestAPIGatewayCanInvokeEveryIntegratedAlias: for every method with a
// Lambda proxy integration, API Gateway's lambda:InvokeFunction on the
// integrated alias with the method's execute-api ARN as aws:SourceArn
// (arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH, "Control
// access to a REST API with IAM permissions") is allowed; from another API,
// another account or another method of the same API it is not. The
// request is built from the method, its resource path and the stage, not
// from the permission.
func TestAPIGatewayCanInvokeEveryIntegratedAlias(t *testing.T) {
	inEveryEnvironmentDeliver(t, func(d *deliveries) {
		stages := d.ts.Resources("AWS::ApiGateway::Stage")
		if len(stages) != 1 {
			d.t.Fatalf("%d stages: the request's stage is not modelled", len(stages))
		}
		stage := d.str(stages[0], stages[0].Properties["StageName"])
		for _, r := range d.ts.Resources("AWS::ApiGateway::Method") {
			integration, _ := r.Properties["Integration"].(map[string]any)
			switch {
			case integration == nil || integration["Type"] == "MOCK":
				continue // answers from API Gateway itself: nothing is invoked
			case integration["Type"] != "AWS_PROXY":
				d.t.Fatalf("%s: integration type %v is not modelled", r.Key(), integration["Type"])
			}
			uri := d.str(r, integration["Uri"])
			m := lambdaIntegration.FindStringSubmatch(uri)
			if m == nil {
				d.t.Fatalf("%s: integration URI %s is not modelled", r.Key(), uri)
			}
			api := d.str(r, r.Properties["RestApiId"])
			method := d.str(r, r.Properties["HttpMethod"])
			source := func(api, method string) string {
				return fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s/%s", d.region, d.account, api, stage, method, d.path(r))
			}
			d.service("API Gateway → function alias", "apigateway.amazonaws.com", "lambda:InvokeFunction", m[1], source(api, method), nil,
				source("otherapi01", method), source(api, "PATCH")) // PATCH: a method no resource has

		}
	})
}

// path is the request path of a method's resource, with every {param}
// given a value.
func (d *deliveries) path(method cfnref.Resource) string {
	var parts []string
	r, ok := d.ts.Lookup(method.Stack, method.Properties["ResourceId"])
	for ok && r.Type == "AWS::ApiGateway::Resource" {
		part := d.str(r, r.Properties["PathPart"])
		if strings.HasPrefix(part, "{") {
			part = "CUST-01JDZ8Q6ZV5X3B9N2M4K7T1R0A"
		}
		parts = append([]string{part}, parts...)
		r, ok = d.ts.Lookup(r.Stack, r.Properties["ParentId"])
	}
	return strings.Join(parts, "/")
}

// TestCodeDeployCanInvokeEveryPreTrafficHook: the deployment group's
// service role's lambda:InvokeFunction on the BeforeAllowTrafficHook of
// each alias it shifts (CodeDeploy invokes the hook with the service role,
// "AppSpec 'hooks' section for an AWS Lambda deployment") is allowed; by
// another deployment group's role, or the same role name in another
// account, it is not. The hook then reports its verdict: its execution
// role's codedeploy:PutLifecycleEventHookExecutionStatus on the deployment
// group (arn:aws:codedeploy:REGION:ACCOUNT:deploymentgroup:APP/GROUP,
// "Actions, resources, and condition keys for AWS CodeDeploy") is allowed,
// and another function's role's is not. The service role's AWS managed
// policy AWSCodeDeployRoleForLambdaLimited is not evaluated: it only
// allows (the hook is allowed without it), so leaving it out cannot hide a
// Deny.
func TestCodeDeployCanInvokeEveryPreTrafficHook(t *testing.T) {
	inEveryEnvironmentDeliver(t, func(d *deliveries) {
		roleOf := map[string]string{} // deployment group name → service role ARN
		for _, g := range d.ts.Resources("AWS::CodeDeploy::DeploymentGroup") {
			roleOf[d.str(g, map[string]any{"Ref": g.LogicalID})] = d.str(g, g.Properties["ServiceRoleArn"])
		}
		execution := d.executionRoles()
		for _, r := range d.ts.Resources("AWS::Lambda::Alias") {
			policy := d.updatePolicy(r)
			hook, ok := policy["BeforeAllowTrafficHook"]
			if !ok {
				continue
			}
			group := d.str(r, policy["DeploymentGroupName"])
			role := roleOf[group]
			hookName := d.str(r, hook)
			d.role("CodeDeploy → pre-traffic hook", role, []string{"lambda:InvokeFunction"}, d.functionARN(hookName), nil, other(roleOf, role))
			fn, _, _ := strings.Cut(hookName, ":")
			groupARN := fmt.Sprintf("arn:aws:codedeploy:%s:%s:deploymentgroup:%s/%s", d.region, d.account, d.str(r, policy["ApplicationName"]), group)
			d.role("pre-traffic hook → CodeDeploy (verdict)", execution[fn], []string{"codedeploy:PutLifecycleEventHookExecutionStatus"}, groupARN, nil,
				other(execution, execution[fn]))
		}
	})
}

// executionRoles are the functions' execution roles by function name.
func (d *deliveries) executionRoles() map[string]string {
	roles := map[string]string{}
	for _, fn := range d.ts.Resources("AWS::Lambda::Function") {
		roles[d.str(fn, map[string]any{"Ref": fn.LogicalID})] = d.str(fn, fn.Properties["Role"])
	}
	return roles
}

// other is the first role of roles, in ARN order, that is not role.
func other(roles map[string]string, role string) string {
	var arns []string
	for _, arn := range roles {
		if arn != role {
			arns = append(arns, arn)
		}
	}
	slices.Sort(arns)
	return arns[0]
}

// rawTemplate is the parts of a stack's template that are not resource
// properties: update policies and outputs.
type rawTemplate struct {
	Resources map[string]struct {
		UpdatePolicy struct {
			CodeDeployLambdaAliasUpdate map[string]any
		}
	}
	Outputs map[string]struct{ Value any }
}

func (d *deliveries) raw(stack string) rawTemplate {
	d.t.Helper()
	var tmpl rawTemplate
	b, err := os.ReadFile(filepath.Join(assemblyDir, stack+".template.json"))
	if err == nil {
		err = json.Unmarshal(b, &tmpl)
	}
	if err != nil {
		d.t.Fatal(err)
	}
	return tmpl
}

// updatePolicy is an alias's CodeDeployLambdaAliasUpdate.
func (d *deliveries) updatePolicy(r cfnref.Resource) map[string]any {
	return d.raw(r.Stack).Resources[r.LogicalID].UpdatePolicy.CodeDeployLambdaAliasUpdate
}

// TestLambdaCanSendFailedRecordsToEveryOnFailureDestination: an event
// source mapping sends a failed batch's record to its on-failure
// destination with the function's execution role ("Retaining records of
// asynchronous invocations" / event source mapping destinations: "your
// function's execution role" needs sqs:SendMessage), so that role's
// sqs:SendMessage on the destination is allowed, and another function's
// role's is not. Asynchronous destinations and function DLQs, which the
// stacks do not use, fail the test until they are modelled.
func TestLambdaCanSendFailedRecordsToEveryOnFailureDestination(t *testing.T) {
	inEveryEnvironmentDeliver(t, func(d *deliveries) {
		for _, r := range d.ts.Resources("AWS::Lambda::Function") {
			if _, ok := r.Properties["DeadLetterConfig"]; ok {
				d.t.Errorf("%s: a function DeadLetterConfig is not modelled", r.Key())
			}
		}
		if n := len(d.ts.Resources("AWS::Lambda::EventInvokeConfig")); n > 0 {
			d.t.Errorf("%d AWS::Lambda::EventInvokeConfig: asynchronous destinations are not modelled", n)
		}
		roles := d.executionRoles()
		for _, r := range d.ts.Resources("AWS::Lambda::EventSourceMapping") {
			dc, _ := r.Properties["DestinationConfig"].(map[string]any)
			if dc == nil {
				continue
			}
			of, _ := dc["OnFailure"].(map[string]any)
			name, _, _ := strings.Cut(d.str(r, r.Properties["FunctionName"]), ":")
			d.role("Lambda → on-failure destination", roles[name], []string{"sqs:SendMessage"}, d.str(r, of["Destination"]),
				[]string{"kms:GenerateDataKey", "kms:Decrypt"}, other(roles, roles[name]))
		}
	})
}

// of is the template resource of a construct (its default child).
func (d *deliveries) of(c constructs.IConstruct) cfnref.Resource {
	d.t.Helper()
	stack := awscdk.Stack_Of(c)
	if child := c.Node().DefaultChild(); child != nil {
		c = child
	}
	id := stack.Resolve(c.(awscdk.CfnElement).LogicalId()).(string)
	r, ok := d.ts.Resource(*stack.ArtifactId() + "/" + id)
	if !ok {
		d.t.Fatalf("%s/%s is not in the templates", *stack.ArtifactId(), id)
	}
	return r
}

// administrator is an operator with the environment's administrator
// credentials, as the runbook's reader has them: every action allowed.
const administrator = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`

// TestTheRecoveryRunbookCanRedriveAndReconcile follows the README's
// runbook ("Recovering events after a publisher outage"): an operator with
// the account's administrator credentials assumes the role the Api stack
// outputs as EventRecoveryRoleArn (sts:AssumeRole, which its trust policy
// must allow) and runs tools/recover with it, whose calls must then be
// allowed: sns:Publish (PublishBatch is authorized as sns:Publish) and the
// topic key's kms:GenerateDataKey and kms:Decrypt, the publisher DLQ's
// sqs:ReceiveMessage and sqs:DeleteMessage, the stream's
// dynamodb:GetShardIterator and dynamodb:GetRecords, and the table's
// dynamodb:Scan. The same calls by the role name in another account, or by
// the forwarder's role, must not be. Without that output the operator
// publishes with their own credentials, as the runbook used to say.
func TestTheRecoveryRunbookCanRedriveAndReconcile(t *testing.T) {
	inEveryEnvironmentDeliver(t, func(d *deliveries) {
		ev := d.s.Api.Customers.Events
		operator := fmt.Sprintf("arn:aws:iam::%s:role/operator", d.account)
		d.identity[operator] = []*policysim.Policy{d.mustParse(administrator)}
		forwarder := d.getAtt(d.of(ev.Forwarder.Role), "Arn")
		recovery := operator
		if out, ok := d.raw(*d.s.Api.ArtifactId()).Outputs["EventRecoveryRoleArn"]; ok {
			recovery = d.str(d.of(ev.Topic), out.Value)
			d.role("operator → recovery role", operator, []string{"sts:AssumeRole"}, recovery, nil, forwarder)
		} else {
			d.t.Errorf("the Api stack has no EventRecoveryRoleArn output: the runbook's operator publishes with their own credentials")
		}
		topic := d.getAtt(d.of(ev.Topic), "TopicArn")
		d.role("operator → event topic (tools/recover)", recovery, []string{"sns:Publish"}, topic, []string{"kms:GenerateDataKey", "kms:Decrypt"}, forwarder)
		d.role("operator → publisher DLQ (redrive)", recovery, []string{"sqs:ReceiveMessage", "sqs:DeleteMessage"},
			d.getAtt(d.of(ev.PublisherDLQ), "Arn"), nil, forwarder)
		var stream string
		for _, r := range d.ts.Resources("AWS::Lambda::EventSourceMapping") {
			if arn := d.str(r, r.Properties["EventSourceArn"]); strings.HasPrefix(arn, "arn:aws:dynamodb:") {
				stream = arn
			}
		}
		d.role("operator → table stream (redrive)", recovery, []string{"dynamodb:GetShardIterator", "dynamodb:GetRecords"}, stream, nil, forwarder)
		d.role("operator → table (reconcile)", recovery, []string{"dynamodb:Scan"}, d.getAtt(d.of(d.s.Data.Table), "Arn"), nil, forwarder)
	})
}

// TestThePublisherCanPublishEvents: the stream publisher's sns:Publish on
// the event topic and its key's kms:GenerateDataKey and kms:Decrypt are
// allowed; by another function's role they are not.
func TestThePublisherCanPublishEvents(t *testing.T) {
	inEveryEnvironmentDeliver(t, func(d *deliveries) {
		ev := d.s.Api.Customers.Events
		d.role("publisher → event topic", d.getAtt(d.of(ev.Publisher.Role), "Arn"), []string{"sns:Publish"},
			d.getAtt(d.of(ev.Topic), "TopicArn"), []string{"kms:GenerateDataKey", "kms:Decrypt"}, d.getAtt(d.of(ev.Forwarder.Role), "Arn"))
	})
}

func (d *deliveries) mustParse(doc string) *policysim.Policy {
	d.t.Helper()
	p, err := policysim.Parse([]byte(doc))
	if err != nil {
		d.t.Fatal(err)
	}
	return p
}

// TestNoOtherRoleCanPublishEvents: of every role in the environment's
// templates, each with its own identity-based policies, only the
// publisher's and the recovery role may publish to the event topic; so may
// no administrator of the account with their own credentials.
func TestNoOtherRoleCanPublishEvents(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			d := newDeliveries(t, s)
			ev := s.Api.Customers.Events
			topic := d.getAtt(d.of(ev.Topic), "TopicArn")
			may := []string{d.getAtt(d.of(ev.Publisher.Role), "Arn"), d.getAtt(d.of(ev.RecoveryRole), "Arn")}
			operator := fmt.Sprintf("arn:aws:iam::%s:role/operator", d.account)
			d.identity[operator] = []*policysim.Policy{d.mustParse(administrator)}
			roles := []string{operator}
			for role := range d.trust {
				roles = append(roles, role)
			}
			var allowed []string
			for _, role := range roles {
				got, err := policysim.Evaluate(policysim.Request{Principal: policysim.Principal{ARN: role, Identity: d.identity[role]},
					Action: "sns:Publish", Resource: topic, Context: map[string]string{"aws:SecureTransport": "true"}}, d.target(topic))
				if err != nil {
					t.Fatal(err)
				}
				if got == policysim.Allow {
					allowed = append(allowed, role)
				}
			}
			slices.Sort(allowed)
			slices.Sort(may)
			if len(roles) < 10 || !slices.Equal(allowed, may) {
				t.Errorf("of %d roles, these may publish events: %v; want only %v", len(roles), allowed, may)
			}
		})
	}
}
