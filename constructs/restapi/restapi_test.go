package restapi_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/restapi"
	"github.com/acme/customers-api/internal/testenv/cdkmain"
)

func TestMain(m *testing.M) { cdkmain.Run(m) }

// api builds a one-method API; change edits the props first.
func api(change func(*restapi.Props)) awscdk.Stack {
	stack, _ := build(change)
	return stack
}

// build is api, with the construct.
func build(change func(*restapi.Props)) (awscdk.Stack, *restapi.RestAPI) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")}})
	fn := awslambda.NewFunction(stack, jsii.String("Fn"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_NODEJS_22_X(), Handler: jsii.String("index.handler"), Code: awslambda.Code_FromInline(jsii.String("x")),
	})
	p := restapi.Props{
		Name: "things", UserPool: awscognito.NewUserPool(stack, jsii.String("Pool"), nil),
		Operations: []restapi.Operation{{Method: "GET", Path: "/things/{id}", Handler: fn, Scopes: []string{"things/read"},
			PathSchema: []byte(`{"type":"object","required":["id"],"properties":{"id":{"type":"string"}}}`)}},
		Settings: restapi.Settings{
			Throttle:   restapi.Throttle{RateLimit: 10, BurstLimit: 20},
			UsagePlans: []restapi.UsagePlan{{Name: "standard", Throttle: restapi.Throttle{RateLimit: 5, BurstLimit: 10}, QuotaPerDay: 100}},
		},
	}
	if change != nil {
		change(&p)
	}
	return stack, restapi.New(stack, "Api", p)
}

func TestEveryMethodNeedsATokenWithItsScopeAnAPIKeyAndValidParameters(t *testing.T) {
	tmpl := assertions.Template_FromStack(api(nil), nil)
	tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
		"HttpMethod": "GET", "AuthorizationType": "COGNITO_USER_POOLS", "AuthorizationScopes": []any{"things/read"},
		"ApiKeyRequired": true, "RequestValidatorId": assertions.Match_AnyValue(),
		"RequestParameters": map[string]any{"method.request.path.id": true},
	})
}

func TestInvalidPropsAreAnnotationErrors(t *testing.T) {
	for name, c := range map[string]struct {
		change func(*restapi.Props)
		want   string
	}{
		"no usage plan":              {func(p *restapi.Props) { p.UsagePlans = nil }, "at least one UsagePlan"},
		"no throttle":                {func(p *restapi.Props) { p.Throttle = restapi.Throttle{} }, "Throttle needs a positive"},
		"no scopes":                  {func(p *restapi.Props) { p.Operations[0].Scopes = nil }, "has no Scopes"},
		"WAF twice":                  {func(p *restapi.Props) { p.WAF, p.WAFRateLimit, p.WebACLArn = true, 100, "arn:x" }, "not both"},
		"no user pool":               {func(p *restapi.Props) { p.UserPool = nil }, "UserPool is required"},
		"sampling rate":              {func(p *restapi.Props) { p.TraceSampling = &restapi.TraceSampling{Rate: 5} }, "TraceSampling needs"},
		"plan above the stage":       {func(p *restapi.Props) { p.UsagePlans[0].Throttle.RateLimit = 50 }, `UsagePlans\[0\] \(standard\): Throttle 50/s.* above the stage`},
		"plan burst above the stage": {func(p *restapi.Props) { p.UsagePlans[0].Throttle.BurstLimit = 21 }, `UsagePlans\[0\] \(standard\): Throttle .*burst 21 is above`},
		"a later draft's $schema": {func(p *restapi.Props) {
			body(p, `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object"}`)
		}, `BodySchema: \$schema is`},
		"a later draft's keyword": {func(p *restapi.Props) { body(p, `{"type":"object","properties":{"kind":{"const":"a"}}}`) }, `BodySchema: "const" at "/properties/kind/const"`},
		"a numeric exclusiveMinimum": {func(p *restapi.Props) {
			body(p, `{"type":"object","properties":{"n":{"type":"number","exclusiveMinimum":0}}}`)
		}, `BodySchema: "exclusiveMinimum" .* boolean`},
		// Each of these made the CDK panic, or passed synth and failed
		// the deploy.
		"an explicit HEAD beside a GET": {func(p *restapi.Props) { p.Operations = append(p.Operations, with(p.Operations[0], "HEAD", "")) }, `operation HEAD /things/\{id\}: Method HEAD: restapi makes the HEAD of /things/\{id\} from its GET`},
		"ANY, the 405's method":         {func(p *restapi.Props) { p.Operations[0].Method = "ANY" }, `operation ANY /things/\{id\}: Method "ANY" must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS`},
		"no such method":                {func(p *restapi.Props) { p.Operations[0].Method = "FOO" }, `Method "FOO" must be one of`},
		"no method":                     {func(p *restapi.Props) { p.Operations[0].Method = "" }, `Method "" must be one of`},
		"a lower-case method":           {func(p *restapi.Props) { p.Operations[0].Method = "get" }, `Method "get" must be one of`},
		"OPTIONS beside CORS": {func(p *restapi.Props) {
			p.CORSOrigins = []string{"https://app.example.com"}
			p.Operations[0].Method = "OPTIONS"
		}, `Method OPTIONS: with CORSOrigins, restapi answers the CORS preflight`},
		"an empty path part":        {func(p *restapi.Props) { p.Operations[0].Path = "/things//x" }, `operation GET /things//x: Path part "" must be`},
		"a trailing slash":          {func(p *restapi.Props) { p.Operations[0].Path = "/things/" }, `operation GET /things/: Path part "" must be`},
		"an unclosed variable":      {func(p *restapi.Props) { p.Operations[0].Path = "/things/{id" }, `Path part "\{id" must be`},
		"a greedy variable's child": {func(p *restapi.Props) { p.Operations[0].Path = "/things/{id+}/x" }, `the greedy variable \{id\+\} takes the rest`},
		"two variables of one parent": {func(p *restapi.Props) {
			p.Operations = append(p.Operations, with(p.Operations[0], "PUT", "/things/{key}"))
		}, `operation PUT /things/\{key\}: Path: /things has two variable children, \{id\} and \{key\}`},
		"two plans of one name": {func(p *restapi.Props) { p.UsagePlans = append(p.UsagePlans, p.UsagePlans[0]) }, `UsagePlans\[1\]: Name "standard" must be set and unique`},
		"a plan without a name": {func(p *restapi.Props) { p.UsagePlans[0].Name = "" }, `UsagePlans\[0\]: Name "" must be set`},
		"one key in two plans": {func(p *restapi.Props) {
			p.UsagePlans[0].APIKeys = []string{"acme"}
			p.UsagePlans = append(p.UsagePlans, restapi.UsagePlan{Name: "partner", Throttle: restapi.Throttle{RateLimit: 1, BurstLimit: 1}, QuotaPerDay: 1, APIKeys: []string{"acme"}})
		}, `UsagePlans\[1\] \(partner\): APIKeys: "acme" must be set and in one plan only`},
		"a key without a name": {func(p *restapi.Props) { p.UsagePlans[0].APIKeys = []string{""} }, `UsagePlans\[0\] \(standard\): APIKeys: "" must be set`},
		"no quota":             {func(p *restapi.Props) { p.UsagePlans[0].QuotaPerDay = 0 }, `UsagePlans\[0\] \(standard\): QuotaPerDay 0 must be positive`},
		"a negative quota":     {func(p *restapi.Props) { p.UsagePlans[0].QuotaPerDay = -1 }, `QuotaPerDay -1 must be positive`},
		"partner blocked by WAF": {func(p *restapi.Props) {
			// 1 request a second is 300 in 5 minutes, from one address.
			p.WAF, p.WAFRateLimit = true, 299
			p.UsagePlans = []restapi.UsagePlan{{Name: "partner", Throttle: restapi.Throttle{RateLimit: 1, BurstLimit: 1}, QuotaPerDay: 1, ServerToServer: true}}
		}, "UsagePlan partner is ServerToServer and allows 300 requests in 5 minutes, but WAFRateLimit blocks one IP address after 299"},
	} {
		t.Run(name, func(t *testing.T) {
			errs := assertions.Annotations_FromStack(api(c.change)).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(c.want)))
			if len(*errs) != 1 {
				t.Errorf("%d errors matching %q, want 1", len(*errs), c.want)
			}
		})
	}
}

// with is op with another method and, unless path is "", another path.
func with(op restapi.Operation, method, path string) restapi.Operation {
	op.Method = method
	if path != "" {
		op.Path = path
	}
	return op
}

// The routes API Gateway serves, next to those it refuses (above): a HEAD
// on a path without a GET, OPTIONS without CORS, a greedy variable last,
// one variable under a parent for many methods, the root.
func TestValidRoutesSynthesizeWithoutErrors(t *testing.T) {
	stack, r := build(func(p *restapi.Props) {
		op := p.Operations[0]
		other := op // on paths without {id}
		other.PathSchema = nil
		p.Operations = append(p.Operations,
			with(op, "PUT", ""), with(op, "PATCH", "/things/{id}/tags/{tag}"), with(op, "DELETE", "/things/{id}/tags"),
			with(other, "HEAD", "/files"), with(other, "OPTIONS", "/files"), with(other, "GET", "/files/{path+}"), with(other, "POST", "/"),
		)
	})
	if errs := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_AnyValue()); len(*errs) != 0 {
		t.Fatalf("errors: %v", *errs)
	}
	for _, key := range []string{"HEAD /things/{id}", "HEAD /files", "OPTIONS /files", "HEAD /files/{path+}", "POST /"} {
		if r.Methods[key] == nil {
			t.Errorf("no method %s", key)
		}
	}
}

// The sampling rule matches this API's stage by the service name and type
// API Gateway reports to X-Ray; without TraceSampling X-Ray's default rule
// applies and the stack defines none.
func TestTraceSamplingIsARuleForTheStage(t *testing.T) {
	tmpl := assertions.Template_FromStack(api(func(p *restapi.Props) {
		p.TraceSampling = &restapi.TraceSampling{ReservoirPerSecond: 1, Rate: 0.01}
	}), nil)
	tmpl.HasResourceProperties(jsii.String("AWS::XRay::SamplingRule"), map[string]any{"SamplingRule": map[string]any{
		"RuleName": "things", "ServiceName": "things/v1", "ServiceType": "AWS::ApiGateway::Stage",
		"ReservoirSize": 1, "FixedRate": 0.01, "Priority": 1000, "Host": "*", "HTTPMethod": "*", "URLPath": "*", "ResourceARN": "*", "Version": 1,
	}})
	tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), map[string]any{"StageName": "v1", "TracingEnabled": true})
	assertions.Template_FromStack(api(nil), nil).ResourceCountIs(jsii.String("AWS::XRay::SamplingRule"), jsii.Number(0))
}

func TestOperationNamesHaveNoBraces(t *testing.T) {
	if got := restapi.OperationName(restapi.Operation{Method: "GET", Path: "/customers/{id}"}); got != "get_customers_id" {
		t.Errorf("OperationName = %q", got)
	}
}

// A method with its own throttle gets its own stage settings, which replace
// the stage's: they must keep its logging level, data tracing and metrics.
func TestAThrottledMethodKeepsTheStagesLoggingAndMetrics(t *testing.T) {
	stack := api(func(p *restapi.Props) { p.Operations[0].Throttle = &restapi.Throttle{RateLimit: 1, BurstLimit: 2} })
	assertions.Template_FromStack(stack, nil).HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), map[string]any{
		"MethodSettings": assertions.Match_ArrayWith(&[]any{map[string]any{
			"HttpMethod": "GET", "ResourcePath": "/~1things~1{id}", "ThrottlingRateLimit": 1, "ThrottlingBurstLimit": 2,
			"LoggingLevel": "ERROR", "DataTraceEnabled": false, "MetricsEnabled": true,
		}}),
	})
}

// Every form of JSON a handler accepts is validated by the gateway.
func TestBodyModelsCoverEveryJSONContentType(t *testing.T) {
	stack := api(func(p *restapi.Props) {
		p.Operations[0].Method, p.Operations[0].Path, p.Operations[0].PathSchema = "POST", "/things", nil
		p.Operations[0].BodyModel, p.Operations[0].BodySchema = "Thing", []byte(`{"type":"object"}`)
	})
	models := map[string]any{}
	for _, ct := range restapi.JSONContentTypes {
		models[ct] = assertions.Match_AnyValue()
	}
	assertions.Template_FromStack(stack, nil).HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
		"HttpMethod": "POST", "RequestModels": models,
	})
}

// A HEAD is throttled as its GET: a GET's own throttle is the HEAD's too.
func TestAThrottledGETThrottlesItsHEADAlike(t *testing.T) {
	stack := api(func(p *restapi.Props) { p.Operations[0].Throttle = &restapi.Throttle{RateLimit: 1, BurstLimit: 2} })
	assertions.Template_FromStack(stack, nil).HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), map[string]any{
		"MethodSettings": assertions.Match_ArrayWith(&[]any{map[string]any{
			"HttpMethod": "HEAD", "ResourcePath": "/~1things~1{id}", "ThrottlingRateLimit": 1, "ThrottlingBurstLimit": 2,
			"LoggingLevel": "ERROR", "DataTraceEnabled": false, "MetricsEnabled": true,
		}}),
	})
}

// body gives the operation a body model with schema.
func body(p *restapi.Props, schema string) {
	p.Operations[0].BodyModel, p.Operations[0].BodySchema = "Thing", []byte(schema)
}

// A draft 4 schema, with draft 4's $schema, a property named like a later
// keyword and a boolean exclusiveMinimum, is accepted.
func TestADraft04BodySchemaIsAccepted(t *testing.T) {
	errs := assertions.Annotations_FromStack(api(func(p *restapi.Props) {
		body(p, `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","required":["const"],"properties":{"const":{"type":"number","minimum":0,"exclusiveMinimum":true},"kind":{"enum":["if","then"]}}}`)
	})).FindError(jsii.String("*"), assertions.Match_AnyValue())
	if len(*errs) != 0 {
		t.Errorf("%d errors for a draft 4 schema, want none", len(*errs))
	}
}

// A method added to the API by hand, outside Operations, with no
// authorizer fails synth; the 405 ANY methods (a MOCK, no backend) and
// CORS preflights do not.
func TestAMethodAddedByHandWithoutAnAuthorizerIsAnAnnotationError(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	fn := awslambda.NewFunction(stack, jsii.String("Fn"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_NODEJS_22_X(), Handler: jsii.String("index.handler"), Code: awslambda.Code_FromInline(jsii.String("x")),
	})
	r := restapi.New(stack, "Api", restapi.Props{
		Name: "things", UserPool: awscognito.NewUserPool(stack, jsii.String("Pool"), nil),
		Operations: []restapi.Operation{{Method: "GET", Path: "/things", Handler: fn, Scopes: []string{"things/read"}}},
		Settings: restapi.Settings{
			CORSOrigins: []string{"https://app.example.com"},
			Throttle:    restapi.Throttle{RateLimit: 10, BurstLimit: 20},
			UsagePlans:  []restapi.UsagePlan{{Name: "standard", Throttle: restapi.Throttle{RateLimit: 5, BurstLimit: 10}, QuotaPerDay: 100}},
		},
	})
	r.Api.Root().AddResource(jsii.String("open"), nil).AddMethod(jsii.String("POST"), awsapigateway.NewLambdaIntegration(fn, nil), nil)
	annotations := assertions.Annotations_FromStack(stack)
	all := annotations.FindError(jsii.String("*"), assertions.Match_AnyValue())
	open := annotations.FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(`restapi: method POST /open has no authorizer \(AuthorizationType NONE\)`)))
	if len(*all) != 1 || len(*open) != 1 {
		t.Errorf("%d errors, %d of them about POST /open; want that one only", len(*all), len(*open))
	}
}

// A browser sends a cross-origin PATCH only when the preflight's
// Access-Control-Allow-Methods lists it (Fetch Standard, "CORS-preflight
// fetch"); before, the list lacked PATCH and every browser PATCH failed.
func TestTheCORSPreflightAllowsEveryMethodAnOperationMayHave(t *testing.T) {
	stack := api(func(p *restapi.Props) {
		p.CORSOrigins = []string{"https://app.example.com"}
		p.Operations[0].Method = "PATCH"
	})
	preflights := assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::ApiGateway::Method"), &map[string]any{
		"Properties": map[string]any{"HttpMethod": "OPTIONS"},
	})
	if len(*preflights) == 0 {
		t.Fatal("no CORS preflight")
	}
	for id, m := range *preflights {
		integration := (*m)["Properties"].(map[string]any)["Integration"].(map[string]any)
		params := integration["IntegrationResponses"].([]any)[0].(map[string]any)["ResponseParameters"].(map[string]any)
		allowed := strings.Split(strings.Trim(params["method.response.header.Access-Control-Allow-Methods"].(string), "'"), ",")
		for _, want := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"} {
			if !slices.Contains(allowed, want) {
				t.Errorf("%s: the preflight allows %v, not %s", id, allowed, want)
			}
		}
	}
}
