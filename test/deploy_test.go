package test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/stacks"
)

// stateful are the resource types that hold data or protect it; only dev
// may delete them with their stack.
var stateful = []string{
	"AWS::DynamoDB::Table", "AWS::Cognito::UserPool", "AWS::KMS::Key", "AWS::SQS::Queue",
	"AWS::Events::EventBus", "AWS::Events::Archive", "AWS::Logs::LogGroup",
}

func TestOnlyDevDeletesStatefulResources(t *testing.T) {
	allStacks(t, func(t *testing.T, s *stacks.Deployment, stack awscdk.Stack) {
		want := "Retain"
		if s.Env.Name == "dev" {
			want = "Delete"
		}
		for _, typ := range stateful {
			for id, r := range *template(stack).FindResources(jsii.String(typ), nil) {
				policy, _ := (*r)["DeletionPolicy"].(string)
				if strings.Contains(id, "CloudWatchRole") {
					continue // the account-wide API Gateway role is always kept
				}
				if policy != want || (*r)["UpdateReplacePolicy"] != want {
					t.Errorf("%s %s: DeletionPolicy %q, UpdateReplacePolicy %v; want %s", typ, id, policy, (*r)["UpdateReplacePolicy"], want)
				}
			}
		}
	})
}

func TestTheArchiveHasNoEmptyKMSKeyIdentifier(t *testing.T) {
	for _, s := range services {
		for id, r := range *template(s.Data.Stack).FindResources(jsii.String("AWS::Events::Archive"), nil) {
			if v, ok := props(r)["KmsKeyIdentifier"]; ok {
				t.Errorf("%s: archive %s has KmsKeyIdentifier %q", s.Env.Name, id, v)
			}
		}
	}
}

func TestWAFLogsRedactCredentialsAndHaveNoFixedName(t *testing.T) {
	for _, s := range services {
		if !s.Env.API.WAF {
			continue
		}
		tmpl := template(s.Api.Stack)
		for _, r := range *tmpl.FindResources(jsii.String("AWS::WAFv2::LoggingConfiguration"), nil) {
			b, _ := json.Marshal(props(r)["RedactedFields"])
			for _, header := range []string{"authorization", "x-api-key"} {
				if !strings.Contains(string(b), `{"SingleHeader":{"Name":"`+header+`"}}`) {
					t.Errorf("%s: WAF logs keep the %s header: %s", s.Env.Name, header, b)
				}
			}
		}
		for id, r := range *tmpl.FindResources(jsii.String("AWS::Logs::LogGroup"), nil) {
			if name, fixed := props(r)["LogGroupName"].(string); fixed && strings.HasPrefix(name, "aws-waf-logs-") {
				t.Errorf("%s: WAF log group %s has the fixed name %s: a re-created stack would meet the retained one", s.Env.Name, id, name)
			}
		}
	}
}

// A method's own stage settings replace the stage's for that method.
func TestEveryMethodSettingKeepsTheStagesLoggingAndMetrics(t *testing.T) {
	for _, s := range services {
		for id, r := range *template(s.Api.Stack).FindResources(jsii.String("AWS::ApiGateway::Stage"), nil) {
			for _, m := range asList(props(r)["MethodSettings"]) {
				setting := m.(map[string]any)
				if setting["LoggingLevel"] != "ERROR" || setting["MetricsEnabled"] != true || setting["DataTraceEnabled"] != false {
					t.Errorf("%s: stage %s method setting %v drops the stage's logging or metrics", s.Env.Name, id, setting)
				}
			}
		}
	}
}

func TestOperationNamesAreClean(t *testing.T) {
	for _, s := range services {
		for id, r := range *template(s.Api.Stack).FindResources(jsii.String("AWS::ApiGateway::Method"), nil) {
			if name, _ := props(r)["OperationName"].(string); strings.ContainsAny(name, "{}/") {
				t.Errorf("%s: method %s has OperationName %q", s.Env.Name, id, name)
			}
		}
	}
}

// Each Cognito client allows only the sign-in flows it needs and never
// tells a caller whether a user exists; prod sends e-mail through SES.
func TestCognitoClientsAllowOnlyTheirFlows(t *testing.T) {
	for _, s := range services {
		if s.Auth == nil {
			continue
		}
		tmpl := template(s.Auth.Stack)
		clients := *tmpl.FindResources(jsii.String("AWS::Cognito::UserPoolClient"), nil)
		if len(clients) != 2 {
			t.Fatalf("%s: %d clients, want the machine and the interactive one", s.Env.Name, len(clients))
		}
		for id, c := range clients {
			p := props(c)
			flows, _ := json.Marshal(p["ExplicitAuthFlows"])
			oauth, _ := json.Marshal(p["AllowedOAuthFlows"])
			want := `["ALLOW_REFRESH_TOKEN_AUTH"]`
			if strings.Contains(string(oauth), "code") {
				want = `["ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH"]`
			}
			if string(flows) != want {
				t.Errorf("%s: client %s (OAuth %s) allows %s, want %s", s.Env.Name, id, oauth, flows, want)
			}
			if p["PreventUserExistenceErrors"] != "ENABLED" {
				t.Errorf("%s: client %s reveals whether users exist", s.Env.Name, id)
			}
		}
		pools := *tmpl.FindResources(jsii.String("AWS::Cognito::UserPool"), nil)
		for _, pool := range pools {
			conf, _ := props(pool)["EmailConfiguration"].(map[string]any)
			if s.Env.Auth.EmailFrom != "" && (conf["EmailSendingAccount"] != "DEVELOPER" || conf["From"] != s.Env.Auth.EmailFrom) {
				t.Errorf("%s: pool e-mail configuration %v, want SES from %s", s.Env.Name, conf, s.Env.Auth.EmailFrom)
			}
		}
	}
}

// API Gateway's execution log group exists before the stage, with the
// environment's retention, so API Gateway never creates one that keeps logs
// forever.
func TestExecutionLogsHaveTheEnvironmentsRetention(t *testing.T) {
	for _, s := range services {
		tmpl := template(s.Api.Stack)
		groups := *tmpl.FindResources(jsii.String("AWS::Logs::LogGroup"), nil)
		var found string
		for id, g := range groups {
			name, _ := json.Marshal(props(g)["LogGroupName"])
			if strings.Contains(string(name), "API-Gateway-Execution-Logs_") && strings.Contains(string(name), `/v1`) {
				found = id
				if props(g)["RetentionInDays"] != float64(s.Env.LogRetentionDays) {
					t.Errorf("%s: execution logs keep %v days, want %d", s.Env.Name, props(g)["RetentionInDays"], s.Env.LogRetentionDays)
				}
			}
		}
		if found == "" {
			t.Fatalf("%s: no execution log group", s.Env.Name)
		}
		for id, st := range *tmpl.FindResources(jsii.String("AWS::ApiGateway::Stage"), nil) {
			deps, _ := json.Marshal((*st)["DependsOn"])
			if !strings.Contains(string(deps), found) {
				t.Errorf("%s: stage %s does not wait for the execution log group (DependsOn %s)", s.Env.Name, id, deps)
			}
		}
	}
}

// The stacks share nothing through CloudFormation exports, so the Data and
// Auth stacks can change (a new stream, a replaced pool) without "export in
// use": the Api stack finds the table by name and reads the generated ARNs
// from the SSM parameters their own stacks publish, when it deploys after
// them.
func TestStacksShareValuesWithoutExports(t *testing.T) {
	for _, s := range services {
		published := map[string]bool{}
		for _, stack := range s.Stacks() {
			raw, _ := json.Marshal(template(stack).ToJSON())
			if strings.Contains(string(raw), "Fn::ImportValue") || strings.Contains(string(raw), `"Export"`) {
				t.Errorf("%s exports or imports a value", *stack.StackName())
			}
			for _, p := range *template(stack).FindResources(jsii.String("AWS::SSM::Parameter"), nil) {
				name, _ := props(p)["Name"].(string)
				published[name] = true
			}
		}
		var params struct {
			Parameters map[string]struct{ Type, Default string }
		}
		raw, _ := json.Marshal(template(s.Api.Stack).ToJSON())
		json.Unmarshal(raw, &params)
		read := 0
		for id, p := range params.Parameters {
			if !strings.HasPrefix(p.Type, "AWS::SSM::Parameter::Value") || strings.HasPrefix(p.Default, "/cdk-bootstrap/") {
				continue
			}
			read++
			if !published[p.Default] {
				t.Errorf("%s: the Api stack reads %s (%s), which no stack of the environment publishes", s.Env.Name, p.Default, id)
			}
		}
		want := 2 // the stream ARN and the user pool ARN
		if s.Auth == nil {
			want = 1
		}
		if read != want {
			t.Errorf("%s: the Api stack reads %d SSM parameters, want %d", s.Env.Name, read, want)
		}
		deps := map[string]bool{}
		for _, d := range *s.Api.Stack.Dependencies() {
			deps[*d.StackName()] = true
		}
		if !deps[*s.Data.Stack.StackName()] || s.Auth != nil && !deps[*s.Auth.Stack.StackName()] {
			t.Errorf("%s: the Api stack does not deploy after the stacks it reads (%v)", s.Env.Name, deps)
		}
	}
}

// The publisher gives up on a record well inside the stream's 24-hour
// retention, so the pointers its DLQ receives can still be redriven.
func TestFailedStreamRecordsCanStillBeRedriven(t *testing.T) {
	for _, s := range services {
		tmpl := template(s.Api.Stack)
		found := 0
		for id, m := range *tmpl.FindResources(jsii.String("AWS::Lambda::EventSourceMapping"), nil) {
			p := props(m)
			if _, stream := p["StartingPosition"]; !stream {
				continue // the SQS mapping of the forwarder
			}
			found++
			age, _ := p["MaximumRecordAgeInSeconds"].(float64)
			dest, _ := json.Marshal(p["DestinationConfig"])
			if age <= 0 || age > 12*3600 || !strings.Contains(string(dest), "OnFailure") {
				t.Errorf("%s: stream mapping %s gives up after %vs (want at most 12h of the 24h retention) with destination %s", s.Env.Name, id, age, dest)
			}
		}
		if found != 1 {
			t.Errorf("%s: %d stream mappings, want the publisher's", s.Env.Name, found)
		}
	}
}

// Synth warns about nothing: no construct warning (the cross-stack
// reference strength warning was one), no cdk-nag warning.
func TestSynthHasNoWarnings(t *testing.T) {
	allStacks(t, func(t *testing.T, _ *stacks.Deployment, stack awscdk.Stack) {
		found := assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_AnyValue())
		for _, w := range *found {
			b, _ := json.Marshal(w)
			t.Errorf("warning: %s", b)
		}
	})
}

// Every feature flag of this CDK version is set, so the CLI does not list
// unconfigured ones and a CDK upgrade cannot change templates silently.
func TestEveryFeatureFlagIsSet(t *testing.T) {
	var cdk struct{ Context map[string]any }
	raw, err := os.ReadFile("../cdk.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &cdk); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"@aws-cdk/core:defaultCrossStackReferences", "@aws-cdk/aws-apigateway:logGroupDestinationArnWithoutWildcard",
		"@aws-cdk/aws-apigateway:authorizerChangeDeploymentLogicalId", "@aws-cdk/aws-lambda:useCdkManagedLogGroup"} {
		if _, ok := cdk.Context[flag]; !ok {
			t.Errorf("cdk.json does not set %s", flag)
		}
	}
	if len(cdk.Context) < 80 {
		t.Errorf("cdk.json sets %d context values; `cdk flags --unstable=flags --set --unconfigured --recommended` sets them all", len(cdk.Context))
	}
}
