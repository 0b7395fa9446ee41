package restapi_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/restapi"
)

// fullAPI is an API with every option that adds API Gateway resources on:
// a body model, CORS (OPTIONS mock methods), a custom domain, the
// account's logging role, WAF and a usage plan with a key; schema is the
// body model's JSON Schema.
func fullAPI(schema string) awscdk.Stack {
	return api(func(p *restapi.Props) {
		body := p.Operations[0]
		body.Method, body.Path, body.PathSchema = "POST", "/things", nil
		body.BodyModel, body.BodySchema = "Thing", []byte(schema)
		p.Operations = append(p.Operations, body)
		p.CORSOrigins = []string{"https://app.example.com"}
		p.CustomDomain = &restapi.CustomDomain{Name: "api.example.com", CertificateARN: "arn:aws:acm:eu-west-1:111111111111:certificate/abc"}
		p.CloudWatchRole, p.WAF, p.WAFRateLimit = true, true, 100
		p.UsagePlans[0].APIKeys = []string{"tester"}
	})
}

const thingSchema = `{"type":"object","properties":{"name":{"type":"string","maxLength":100}}}`

// deploymentID is the logical id of the stack's one API Gateway deployment.
func deploymentID(t *testing.T, stack awscdk.Stack) string {
	t.Helper()
	found := assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::ApiGateway::Deployment"), nil)
	if len(*found) != 1 {
		t.Fatalf("%d deployments, want 1", len(*found))
	}
	return slices.Collect(maps.Keys(*found))[0]
}

// each calls change on every L1 resource of the stack that is a T and for
// which match (nil: any) is true, and fails when there is none.
func each[T any](t *testing.T, stack awscdk.Stack, match func(T) bool, change func(T)) {
	t.Helper()
	n := 0
	for _, c := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if r, ok := c.(T); ok && (match == nil || match(r)) {
			change(r)
			n++
		}
	}
	if n == 0 {
		var zero T
		t.Fatalf("the stack has no %T to change", zero)
	}
}

func httpMethod(m string) func(awsapigateway.CfnMethod) bool {
	return func(r awsapigateway.CfnMethod) bool { return *r.HttpMethod() == m }
}

// changes change one resource of each API Gateway kind that shapes what a
// stage serves, as an L1 (after its L2 rendered it, so that CDK's own L2
// hashing cannot see it), plus the schema change of a body model made as a
// user of the construct would make it.
var changes = []struct {
	kind, what string
	change     func(t *testing.T, stack awscdk.Stack)
}{
	{"AWS::ApiGateway::Model", "the JSON Schema", func(t *testing.T, s awscdk.Stack) {
		each(t, s, nil, func(m awsapigateway.CfnModel) {
			m.SetSchema(map[string]any{"type": "object", "properties": map[string]any{"name": map[string]any{"type": "string", "maxLength": 200}}})
		})
	}},
	{"AWS::ApiGateway::Method", "the request parameters", func(t *testing.T, s awscdk.Stack) {
		each(t, s, httpMethod("GET"), func(m awsapigateway.CfnMethod) {
			m.SetRequestParameters(map[string]any{"method.request.path.id": true, "method.request.querystring.view": false})
		})
	}},
	{"AWS::ApiGateway::Method", "the integration", func(t *testing.T, s awscdk.Stack) {
		each(t, s, httpMethod("GET"), func(m awsapigateway.CfnMethod) {
			m.SetIntegration(&awsapigateway.CfnMethod_IntegrationProperty{Type: jsii.String("MOCK")})
		})
	}},
	{"AWS::ApiGateway::Method", "the CORS preflight's mock integration", func(t *testing.T, s awscdk.Stack) {
		each(t, s, httpMethod("OPTIONS"), func(m awsapigateway.CfnMethod) {
			m.SetIntegration(&awsapigateway.CfnMethod_IntegrationProperty{Type: jsii.String("MOCK"),
				RequestTemplates: &map[string]*string{"application/json": jsii.String(`{"statusCode": 204}`)},
				IntegrationResponses: &[]any{&awsapigateway.CfnMethod_IntegrationResponseProperty{StatusCode: jsii.String("204"),
					ResponseParameters: &map[string]*string{"method.response.header.Access-Control-Allow-Origin": jsii.String("'https://other.example.com'")}}},
			})
		})
	}},
	{"AWS::ApiGateway::RequestValidator", "what it validates", func(t *testing.T, s awscdk.Stack) {
		each(t, s, nil, func(v awsapigateway.CfnRequestValidator) { v.SetValidateRequestParameters(jsii.Bool(false)) })
	}},
	{"AWS::ApiGateway::GatewayResponse", "the body template", func(t *testing.T, s awscdk.Stack) {
		each(t, s, func(g awsapigateway.CfnGatewayResponse) bool { return *g.ResponseType() == "THROTTLED" }, func(g awsapigateway.CfnGatewayResponse) {
			g.SetResponseTemplates(&map[string]*string{"application/json": jsii.String(`{"title":"Slow down"}`)})
		})
	}},
	{"AWS::ApiGateway::Authorizer", "the identity source", func(t *testing.T, s awscdk.Stack) {
		each(t, s, nil, func(a awsapigateway.CfnAuthorizer) { a.SetIdentitySource(jsii.String("method.request.header.X-Token")) })
	}},
	{"AWS::ApiGateway::Resource", "the path part", func(t *testing.T, s awscdk.Stack) {
		each(t, s, func(r awsapigateway.CfnResource) bool { return *r.PathPart() == "things" }, func(r awsapigateway.CfnResource) {
			r.SetPathPart(jsii.String("items"))
		})
	}},
	{"AWS::ApiGateway::RestApi", "the binary media types", func(t *testing.T, s awscdk.Stack) {
		each(t, s, nil, func(r awsapigateway.CfnRestApi) { r.SetBinaryMediaTypes(jsii.Strings("image/png")) })
	}},
}

// notInADeployment are the API Gateway kinds the full API creates that a
// deployment does not snapshot, each with the reason (API Gateway developer
// guide, "Updates to REST APIs that require redeployment"): their changes
// take effect without a new deployment.
var notInADeployment = map[string]string{
	"AWS::ApiGateway::Deployment":      "the snapshot itself",
	"AWS::ApiGateway::Stage":           "stage settings apply when the stage is updated",
	"AWS::ApiGateway::Account":         "an account-wide setting (the logging role)",
	"AWS::ApiGateway::UsagePlan":       "usage plans meter keys per stage, outside the API",
	"AWS::ApiGateway::UsagePlanKey":    "idem",
	"AWS::ApiGateway::ApiKey":          "keys belong to the account and reach the API through usage plans",
	"AWS::ApiGateway::DomainName":      "the custom domain points at a stage",
	"AWS::ApiGateway::BasePathMapping": "maps the custom domain to the stage",
}

// Each change to a resource a stage serves gives the deployment a new
// logical id, so that CloudFormation creates a new deployment and the stage
// serves it; every API Gateway kind the construct creates is either changed
// here or named as not part of a deployment.
func TestEveryChangeToWhatTheStageServesCreatesANewDeployment(t *testing.T) {
	base := fullAPI(thingSchema)
	before := deploymentID(t, base)
	covered := map[string]bool{}
	for _, c := range changes {
		covered[c.kind] = true
		t.Run(c.kind+" "+c.what, func(t *testing.T) {
			stack := fullAPI(thingSchema)
			c.change(t, stack)
			if after := deploymentID(t, stack); after == before {
				t.Errorf("changing %s of the %s left the deployment at %s: the stage keeps serving the old one", c.what, c.kind, before)
			}
		})
	}
	resources := (*assertions.Template_FromStack(base, nil).ToJSON())["Resources"].(map[string]any)
	for _, r := range resources {
		kind := r.(map[string]any)["Type"].(string)
		if strings.HasPrefix(kind, "AWS::ApiGateway::") && !covered[kind] && notInADeployment[kind] == "" {
			t.Errorf("%s is neither changed by this test nor named as outside a deployment", kind)
		}
	}
}

// The change a developer makes every week: a body schema's limit, made
// through the construct's props. The model is an L1 resource, which CDK's
// L2 hashing never sees.
func TestAChangedBodySchemaCreatesANewDeployment(t *testing.T) {
	before := deploymentID(t, fullAPI(thingSchema))
	after := deploymentID(t, fullAPI(`{"type":"object","properties":{"name":{"type":"string","maxLength":200}}}`))
	if after == before {
		t.Errorf("a new maxLength left the deployment at %s: stage v1 keeps validating against the old schema", before)
	}
	if again := deploymentID(t, fullAPI(thingSchema)); again != before {
		t.Errorf("the same API synthesized twice has deployments %s and %s: every deploy would redeploy", before, again)
	}
}

// A stage setting takes effect without a new deployment: changing one must
// not churn deployments.
func TestAStageSettingKeepsTheDeployment(t *testing.T) {
	before := deploymentID(t, fullAPI(thingSchema))
	stack := fullAPI(thingSchema)
	each(t, stack, nil, func(s awsapigateway.CfnStage) { s.SetTracingEnabled(jsii.Bool(false)) })
	if after := deploymentID(t, stack); after != before {
		t.Errorf("a stage setting moved the deployment from %s to %s", before, after)
	}
}
