// Package restapi creates the front door of a serverless API: an API
// Gateway REST API (regional) where every method needs an API key and an
// authorized caller (a Cognito token with the operation's scopes by
// default; per operation, a Lambda authorizer or IAM SigV4 for
// service-to-service callers, never none), is validated against JSON Schemas
// before any Lambda runs, and is metered by usage plans; the stage writes
// JSON access logs, traces with X-Ray and throttles; every error API Gateway
// itself returns is application/problem+json; a WAF web ACL can guard it.
//
// A change to anything the stage serves (a method, integration, model,
// validator, gateway response, authorizer or resource of the API, in the
// API's stack, L1 or L2) makes a new deployment, so it takes effect on
// the stage. Not seen: raw overrides (AddPropertyOverride) and API Gateway
// resources of another stack; after such a change, force a deployment.
package restapi

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme/customers-api/constructs/internal/cdkx"
	"github.com/acme/customers-api/constructs/settings"
	"github.com/acme/customers-api/lambdakit/httpx/wire"
)

// The front door's settings are plain values, defined in
// constructs/settings so that configuration code can use them without the
// CDK (see there for each field).
type (
	// Throttle is a token bucket: a steady rate per second and a burst.
	Throttle = settings.Throttle
	// UsagePlan is a class of consumer with its own limits and API keys.
	UsagePlan = settings.UsagePlan
	// CustomDomain serves the API on its own name.
	CustomDomain = settings.CustomDomain
	// TraceSampling is the X-Ray sampling rule of the stage.
	TraceSampling = settings.TraceSampling
	// Settings are the front door's settings; composites take them once
	// and pass them on whole.
	Settings = settings.API
)

// Operation is one method of the API.
type Operation struct {
	// Method is the HTTP method, in upper case: GET, HEAD (only on a Path
	// without a GET, whose HEAD restapi makes), POST, PUT, PATCH, DELETE, or
	// OPTIONS (only without CORSOrigins). Path is the resource path, e.g.
	// "/customers/{id}": "/" then parts of letters, digits and :._$-, or
	// variables "{name}" (one per parent) or, last, "{name+}". Required;
	// anything else is an error annotation.
	Method, Path string
	// Handler serves the operation through Lambda proxy integration.
	Handler awslambda.IFunction
	// Scopes are the OAuth scopes that allow the call (any one of them)
	// with a Cognito token. Required for a Cognito-authorized operation;
	// not allowed with IAM or Authorizer. API Gateway's Cognito authorizer
	// answers a token that has none of them with 401 (UNAUTHORIZED), as it
	// answers a missing or invalid token, not with 403: see
	// GatewayResponses.
	Scopes []string
	// IAM authorizes the method by the caller's SigV4 signature and IAM
	// policies (AWS_IAM), for service-to-service callers: allow a role with
	// RestAPI.GrantInvoke. Default: false, Cognito.
	IAM bool
	// Authorizer names the LambdaAuthorizer of Props.Authorizers that
	// authorizes the method (CUSTOM). Default: "", Cognito.
	Authorizer string
	// BodyModel names the request body model; BodySchema is its JSON
	// Schema (draft-04). Both empty for operations without a body.
	BodyModel  string
	BodySchema []byte
	// QuerySchema and PathSchema are JSON Schemas of the query and path
	// parameters: their properties become the method's request parameters,
	// required where the schema says so.
	QuerySchema, PathSchema []byte
	// Throttle, when set, replaces the stage default for this method.
	Throttle *Throttle
}

// Key is "METHOD /path", the operation's name in maps and logs.
func (o Operation) Key() string { return o.Method + " " + o.Path }

// Props describes the API.
type Props struct {
	// Name is the API's name; Description is shown in the console.
	Name, Description string
	// Operations are the API's methods.
	Operations []Operation
	// UserPool authenticates callers of the Cognito-authorized operations
	// (those with neither IAM nor Authorizer). Required when there is one.
	UserPool awscognito.IUserPool
	// Authorizers are the API's Lambda authorizers; operations name them.
	Authorizers []LambdaAuthorizer
	// LogRetentionDays is the access and WAF log retention (default 30).
	LogRetentionDays int
	// Retain keeps the log groups when the stack is deleted.
	Retain bool
	Settings
}

// RestAPI is the created API and everything it owns.
type RestAPI struct {
	constructs.Construct
	Api   awsapigateway.RestApi
	Stage awsapigateway.Stage
	// Authorizer is the Cognito authorizer; nil when no operation uses it.
	Authorizer awsapigateway.CognitoUserPoolsAuthorizer
	// Authorizers are the Lambda authorizers by LambdaAuthorizer.Name.
	Authorizers map[string]awsapigateway.IAuthorizer
	AccessLogs  awslogs.LogGroup
	// StageName is the stage's name, e.g. "v1".
	StageName string
	// ProblemTypeBase prefixes the type of the problems API Gateway answers
	// itself, e.g. "urn:problem-type:".
	ProblemTypeBase string
	// ExecutionLogs is the group API Gateway writes execution logs to.
	ExecutionLogs awslogs.LogGroup
	// WebACL and WAFLogs are nil when WAF is off.
	WebACL  *WebACL
	WAFLogs awslogs.LogGroup
	// UsagePlans and APIKeys by name; Methods by Operation.Key(), with a
	// "HEAD /path" method for every GET.
	UsagePlans map[string]awsapigateway.UsagePlan
	APIKeys    map[string]awsapigateway.IApiKey
	Methods    map[string]awsapigateway.Method
	// authorized checks, at synth, that every method has an authorizer.
	authorized *everyMethodAuthorized
	iam        map[string]bool // IAM-authorized methods by key
}

// AllowedHeaders are the request headers browsers may send.
var AllowedHeaders = []string{"Authorization", "Content-Type", "X-Api-Key", "Idempotency-Key", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "X-Amzn-Trace-Id"}

var modelName = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// problemTypeBasePattern is an absolute URI (RFC 3986 §4.3: a scheme, ':'
// and the rest) without characters that would break out of a JSON string
// or start a VTL reference or directive.
var problemTypeBasePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:[^"\\$#\s]*$`)

// stageNamePattern is what API Gateway accepts as a stage's name.
var stageNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// New creates the API. Invalid props are error annotations.
func New(scope constructs.Construct, id string, props Props) *RestAPI {
	c := constructs.NewConstruct(scope, jsii.String(id))
	r := &RestAPI{
		Construct:   c,
		UsagePlans:  map[string]awsapigateway.UsagePlan{},
		APIKeys:     map[string]awsapigateway.IApiKey{},
		Methods:     map[string]awsapigateway.Method{},
		Authorizers: map[string]awsapigateway.IAuthorizer{},
		iam:         map[string]bool{},
		authorized:  &everyMethodAuthorized{open: map[string]bool{}},
	}
	retention, err := cdkx.Retention(cdkx.OrDefault(props.LogRetentionDays, 30))
	if !r.validate(props) {
		return r
	}
	if err != nil {
		cdkx.Error(c, "restapi: LogRetentionDays: %v", err)
	}
	r.AccessLogs = awslogs.NewLogGroup(c, jsii.String("AccessLogs"), &awslogs.LogGroupProps{
		Retention: retention, RemovalPolicy: cdkx.RemovalPolicy(props.Retain),
	})
	stageName := cdkx.OrDefault(props.StageName, "v1")
	r.StageName = stageName
	r.ProblemTypeBase = cdkx.OrDefault(props.ProblemTypeBase, ProblemTypeBase)
	r.Api = awsapigateway.NewRestApi(c, jsii.String("Api"), &awsapigateway.RestApiProps{
		RestApiName:                 jsii.String(props.Name),
		Description:                 cdkx.OptionalString(props.Description),
		EndpointConfiguration:       &awsapigateway.EndpointConfiguration{Types: &[]awsapigateway.EndpointType{awsapigateway.EndpointType_REGIONAL}},
		ApiKeySourceType:            awsapigateway.ApiKeySourceType_HEADER,
		CloudWatchRole:              jsii.Bool(props.CloudWatchRole),
		DefaultCorsPreflightOptions: cors(props.CORSOrigins),
		DomainName:                  domain(c, props.CustomDomain),
		DeployOptions: &awsapigateway.StageOptions{
			StageName:            jsii.String(stageName),
			AccessLogDestination: awsapigateway.NewLogGroupLogDestination(r.AccessLogs),
			AccessLogFormat:      awsapigateway.AccessLogFormat_Custom(jsii.String(AccessLogFormat)),
			LoggingLevel:         stageLogging,
			DataTraceEnabled:     jsii.Bool(false),
			TracingEnabled:       jsii.Bool(true),
			MetricsEnabled:       jsii.Bool(true),
			ThrottlingRateLimit:  jsii.Number(props.Throttle.RateLimit),
			ThrottlingBurstLimit: jsii.Number(props.Throttle.BurstLimit),
			MethodOptions:        methodThrottles(props.Operations),
		},
	})
	r.Stage = r.Api.DeploymentStage()
	r.checkAuthorization()
	r.redeployOnChange()
	if props.TraceSampling != nil {
		r.samplingRule(props.Name, *props.TraceSampling)
	}
	// API Gateway writes execution logs to a group it creates itself, with
	// no retention, unless the group exists first: create it, with the
	// environment's retention, before the stage.
	r.ExecutionLogs = awslogs.NewLogGroup(c, jsii.String("ExecutionLogs"), &awslogs.LogGroupProps{
		LogGroupName:  awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("API-Gateway-Execution-Logs_"), r.Api.RestApiId(), jsii.String("/" + stageName)}),
		Retention:     retention,
		RemovalPolicy: cdkx.RemovalPolicy(props.Retain),
	})
	r.Stage.Node().AddDependency(r.ExecutionLogs)
	if props.CloudWatchRole {
		// The account setting outlives this API: other APIs in the account
		// log through the same role.
		r.Api.Node().FindChild(jsii.String("CloudWatchRole")).(awscdk.Resource).ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN)
		cdknag.NagSuppressions_AddResourceSuppressions(r.Api, &[]*cdknag.NagPackSuppression{{
			Id:        jsii.String("AwsSolutions-IAM4"),
			Reason:    jsii.String("The account-wide API Gateway logging role uses the AWS managed policy AmazonAPIGatewayPushToCloudWatchLogs, as AWS documents it."),
			AppliesTo: &[]interface{}{jsii.String("Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs")},
		}}, jsii.Bool(true))
	}
	if props.UserPool != nil && usesCognito(props.Operations) {
		r.Authorizer = awsapigateway.NewCognitoUserPoolsAuthorizer(c, jsii.String("Authorizer"), &awsapigateway.CognitoUserPoolsAuthorizerProps{
			CognitoUserPools: &[]awscognito.IUserPool{props.UserPool},
		})
	}
	r.addAuthorizers(props.Name, props.Authorizers)
	r.addGatewayResponses(props.CORSOrigins)
	r.addOperations(props.Operations)
	r.addMethodNotAllowed(props.Operations, props.CORSOrigins)
	r.addUsagePlans(props.UsagePlans)
	switch {
	case props.WAF:
		r.addWAF(props, retention)
	case props.WebACLArn != "":
		awswafv2.NewCfnWebACLAssociation(c, jsii.String("WebACLAssociation"), &awswafv2.CfnWebACLAssociationProps{
			ResourceArn: r.Stage.StageArn(), WebAclArn: jsii.String(props.WebACLArn),
		})
	default:
		cdknag.NagSuppressions_AddResourceSuppressions(r.Stage, &[]*cdknag.NagPackSuppression{{
			Id:     jsii.String("AwsSolutions-APIG3"),
			Reason: jsii.String("WAF is off in this environment by configuration (WAF=false)."),
		}}, nil)
	}
	return r
}

// validate reports every invalid prop as an error annotation and says
// whether the props are valid; New builds nothing from invalid props, so
// synth fails with the messages instead of a jsii panic.
func (r *RestAPI) validate(p Props) bool {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if p.Name == "" {
		bad("Name is required")
	}
	if p.UserPool == nil && usesCognito(p.Operations) {
		bad("UserPool is required: every method without IAM or an Authorizer needs a Cognito token")
	}
	if len(p.UsagePlans) == 0 {
		bad("at least one UsagePlan is required: every method needs an API key")
	}
	if p.Throttle.RateLimit <= 0 || p.Throttle.BurstLimit <= 0 {
		bad("Throttle needs a positive RateLimit and BurstLimit")
	}
	if p.StageName != "" && !stageNamePattern.MatchString(p.StageName) {
		bad("StageName %q must be letters, digits, - and _, at most 128 characters", p.StageName)
	}
	if b := p.ProblemTypeBase; b != "" && !problemTypeBasePattern.MatchString(b) {
		bad("ProblemTypeBase %q must be an absolute URI (a scheme, then ':') without '\"', '\\', '$', '#' or spaces", b)
	}
	if p.WAF && p.WebACLArn != "" {
		bad("set WAF or WebACLArn, not both")
	}
	if ts := p.TraceSampling; ts != nil && (ts.ReservoirPerSecond < 0 || ts.Rate < 0 || ts.Rate > 1 || len(p.Name) > 32) {
		bad("TraceSampling needs a ReservoirPerSecond of 0 or more, a Rate from 0 to 1, and a Name of at most 32 characters (the rule's name)")
	}
	if p.WAF && p.WAFRateLimit < 10 {
		bad("WAFRateLimit must be at least 10 requests per 5 minutes")
	}
	plans, keys := map[string]bool{}, map[string]bool{}
	for i, plan := range p.UsagePlans {
		if plan.Name == "" || plans[plan.Name] {
			bad("UsagePlans[%d]: Name %q must be set and unique", i, plan.Name)
		}
		plans[plan.Name] = true
		if plan.QuotaPerDay <= 0 {
			bad("UsagePlans[%d] (%s): QuotaPerDay %d must be positive: a quota of 0 refuses every request", i, plan.Name, plan.QuotaPerDay)
		}
		for _, key := range plan.APIKeys {
			if key == "" || keys[key] {
				bad("UsagePlans[%d] (%s): APIKeys: %q must be set and in one plan only (a key belongs to one plan of a stage)", i, plan.Name, key)
			}
			keys[key] = true
		}
		// A request is throttled by the stage (or method) limit and by its
		// key's usage plan, whichever is lower ("Throttle requests to your
		// REST APIs", API Gateway Developer Guide): a plan above the stage
		// promises its consumers a rate they never get.
		if plan.Throttle.RateLimit > p.Throttle.RateLimit || plan.Throttle.BurstLimit > p.Throttle.BurstLimit {
			bad("UsagePlans[%d] (%s): Throttle %g/s, burst %d is above the stage's Throttle %g/s, burst %d, which binds first", i, plan.Name, plan.Throttle.RateLimit, plan.Throttle.BurstLimit, p.Throttle.RateLimit, p.Throttle.BurstLimit)
		}
		if blocked, perWindow := p.BlocksServerToServer(plan); blocked {
			bad("UsagePlan %s is ServerToServer and allows %.0f requests in 5 minutes, but WAFRateLimit blocks one IP address after %d", plan.Name, perWindow, p.WAFRateLimit)
		}
	}
	seen := map[string]bool{}
	for _, op := range p.Operations {
		switch {
		case seen[op.Key()]:
			bad("operation %s is defined twice", op.Key())
		case op.Handler == nil:
			bad("operation %s has no Handler", op.Key())
		case len(op.Scopes) == 0 && op.authorization() == "COGNITO_USER_POOLS":
			bad("operation %s has no Scopes", op.Key())
		case (op.BodyModel == "") != (len(op.BodySchema) == 0), op.BodyModel != "" && !modelName.MatchString(op.BodyModel):
			bad("operation %s needs both an alphanumeric BodyModel and a BodySchema, or neither", op.Key())
		case len(op.BodySchema) > 0:
			if err := draft04(op.BodySchema); err != nil {
				bad("operation %s: BodySchema: %v", op.Key(), err)
			}
		}
		seen[op.Key()] = true
	}
	validateRoutes(p, bad)
	validateAuthorization(p, bad)
	for _, msg := range problems {
		cdkx.Error(r.Construct, "restapi: %s", msg)
	}
	return len(problems) == 0
}

func cors(origins []string) *awsapigateway.CorsOptions {
	if len(origins) == 0 {
		return nil
	}
	return &awsapigateway.CorsOptions{
		AllowOrigins: jsii.Strings(origins...),
		// Every method an operation may have (routes.go), PATCH included:
		// a browser sends a PATCH only after a preflight that allows it
		// (Fetch Standard, "CORS-preflight fetch").
		AllowMethods:  jsii.Strings(methods...),
		AllowHeaders:  jsii.Strings(AllowedHeaders...),
		ExposeHeaders: jsii.Strings(wire.ExposeHeaders...),
		MaxAge:        awscdk.Duration_Minutes(jsii.Number(10)),
	}
}

func domain(c constructs.Construct, d *CustomDomain) *awsapigateway.DomainNameOptions {
	if d == nil {
		return nil
	}
	return &awsapigateway.DomainNameOptions{
		DomainName:     jsii.String(d.Name),
		Certificate:    awscertificatemanager.Certificate_FromCertificateArn(c, jsii.String("Certificate"), jsii.String(d.CertificateARN)),
		SecurityPolicy: awsapigateway.SecurityPolicy_TLS_1_2,
		EndpointType:   awsapigateway.EndpointType_REGIONAL,
	}
}

// JSONContentTypes are the Content-Type values whose bodies API Gateway
// validates against an operation's body model.
var JSONContentTypes = []string{"application/json", "application/json; charset=utf-8", "application/json;charset=utf-8", "application/json; charset=UTF-8"}

// stageLogging is the execution log level of the stage and of every method.
const stageLogging = awsapigateway.MethodLoggingLevel_ERROR

// OperationName is the method's operation name: the lower-case method and
// the path with "/" as "_" and no braces, e.g. "get_customers_id".
func OperationName(op Operation) string {
	return strings.ToLower(op.Method) + strings.NewReplacer("/", "_", "{", "", "}", "").Replace(op.Path)
}

// methodThrottles are the per-method stage settings of the operations with
// their own throttle. A method setting replaces the stage's for that method,
// so each also states the stage's logging level, data tracing and metrics.
func methodThrottles(ops []Operation) *map[string]*awsapigateway.MethodDeploymentOptions {
	out := map[string]*awsapigateway.MethodDeploymentOptions{}
	for _, op := range ops {
		if op.Throttle == nil {
			continue
		}
		methods := []string{op.Method}
		if op.Method == "GET" {
			methods = append(methods, "HEAD") // HEAD is throttled as its GET
		}
		for _, method := range methods {
			out[op.Path+"/"+method] = &awsapigateway.MethodDeploymentOptions{
				ThrottlingRateLimit: jsii.Number(op.Throttle.RateLimit), ThrottlingBurstLimit: jsii.Number(op.Throttle.BurstLimit),
				LoggingLevel: stageLogging, DataTraceEnabled: jsii.Bool(false), MetricsEnabled: jsii.Bool(true),
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return &out
}

func (r *RestAPI) addOperations(ops []Operation) {
	bodyValidator := r.Api.AddRequestValidator(jsii.String("BodyAndParameters"), &awsapigateway.RequestValidatorOptions{
		ValidateRequestBody: jsii.Bool(true), ValidateRequestParameters: jsii.Bool(true),
	})
	paramValidator := r.Api.AddRequestValidator(jsii.String("Parameters"), &awsapigateway.RequestValidatorOptions{
		ValidateRequestBody: jsii.Bool(false), ValidateRequestParameters: jsii.Bool(true),
	})
	models := map[string]awscdk.CfnResource{}
	for _, op := range ops {
		opts := &awsapigateway.MethodOptions{
			ApiKeyRequired:    jsii.Bool(true),
			RequestValidator:  paramValidator,
			RequestParameters: r.requestParameters(op),
			OperationName:     jsii.String(OperationName(op)),
		}
		r.methodAuthorization(op, opts)
		var model awscdk.CfnResource
		if op.BodyModel != "" {
			model = models[op.BodyModel]
			if model == nil {
				model = r.addModel(op.BodyModel, op.BodySchema)
				models[op.BodyModel] = model
			}
			opts.RequestValidator = bodyValidator
			// API Gateway validates a body only when its Content-Type is a key
			// here, and passes any other to a Lambda proxy unvalidated (it
			// cannot refuse it): every form of JSON the handlers accept is
			// mapped, and the handlers answer 415 to the rest.
			ref := awsapigateway.Model_FromModelName(r.Construct, jsii.String("Ref"+op.Method+op.BodyModel), model.Ref())
			opts.RequestModels = &map[string]awsapigateway.IModel{}
			for _, contentType := range JSONContentTypes {
				(*opts.RequestModels)[contentType] = ref
			}
		}
		integration := awsapigateway.NewLambdaIntegration(op.Handler, &awsapigateway.LambdaIntegrationOptions{
			Proxy: jsii.Bool(true), AllowTestInvoke: jsii.Bool(false),
		})
		resource := r.Api.Root().ResourceForPath(jsii.String(op.Path))
		r.Methods[op.Key()] = resource.AddMethod(jsii.String(op.Method), integration, opts)
		r.iam[op.Key()] = op.IAM
		suppressCognitoFinding(r.Methods[op.Key()], op)
		if op.Method == "GET" {
			// RFC 9110 §9.1: a general-purpose server MUST support HEAD. API
			// Gateway answers only the methods a resource has, so HEAD is
			// GET's twin: the same function (which drops the body, see
			// httpx.Service), authorizer, scopes, key and validation.
			head := *opts
			head.OperationName = jsii.String(OperationName(headOf(op)))
			r.Methods[headOf(op).Key()] = resource.AddMethod(jsii.String("HEAD"), integration, &head)
			suppressCognitoFinding(r.Methods[headOf(op).Key()], op)
		}
	}
}

// headOf is the HEAD operation that mirrors a GET.
func headOf(get Operation) Operation {
	head := get
	head.Method = "HEAD"
	return head
}

// addModel publishes a JSON Schema as a request model.
func (r *RestAPI) addModel(name string, schema []byte) awscdk.CfnResource {
	var doc map[string]any
	if err := json.Unmarshal(schema, &doc); err != nil {
		cdkx.Error(r.Construct, "restapi: model %s: schema is not JSON: %v", name, err)
	}
	return awsapigateway.NewCfnModel(r.Construct, jsii.String("Model"+name), &awsapigateway.CfnModelProps{
		RestApiId:   r.Api.RestApiId(),
		Name:        jsii.String(name),
		ContentType: jsii.String("application/json"),
		Schema:      doc,
	})
}

// requestParameters declares the parameters the schemas describe.
func (r *RestAPI) requestParameters(op Operation) *map[string]*bool {
	out := map[string]*bool{}
	for _, p := range []struct {
		in     string
		schema []byte
	}{{"querystring", op.QuerySchema}, {"path", op.PathSchema}} {
		if len(p.schema) == 0 {
			continue
		}
		var doc struct {
			Properties map[string]any `json:"properties"`
			Required   []string       `json:"required"`
		}
		if err := json.Unmarshal(p.schema, &doc); err != nil {
			cdkx.Error(r.Construct, "restapi: operation %s: %s schema is not JSON: %v", op.Key(), p.in, err)
			continue
		}
		for name := range doc.Properties {
			out["method.request."+p.in+"."+name] = jsii.Bool(slices.Contains(doc.Required, name))
		}
	}
	if len(out) == 0 {
		return nil
	}
	return &out
}

func (r *RestAPI) addUsagePlans(plans []UsagePlan) {
	for _, p := range plans {
		plan := r.Api.AddUsagePlan(jsii.String("Plan-"+p.Name), &awsapigateway.UsagePlanProps{
			Name:        jsii.String(fmt.Sprintf("%s-%s", *r.Api.RestApiName(), p.Name)),
			Description: jsii.String(fmt.Sprintf("%s consumers of %s", p.Name, *r.Api.RestApiName())),
			Throttle:    &awsapigateway.ThrottleSettings{RateLimit: jsii.Number(p.Throttle.RateLimit), BurstLimit: jsii.Number(p.Throttle.BurstLimit)},
			Quota:       &awsapigateway.QuotaSettings{Limit: jsii.Number(p.QuotaPerDay), Period: awsapigateway.Period_DAY},
		})
		plan.AddApiStage(&awsapigateway.UsagePlanPerApiStage{Api: r.Api, Stage: r.Stage})
		r.UsagePlans[p.Name] = plan
		for _, name := range p.APIKeys {
			key := r.Api.AddApiKey(jsii.String("Key-"+name), &awsapigateway.ApiKeyOptions{
				Description: jsii.String(fmt.Sprintf("%s (%s plan)", name, p.Name)),
			})
			plan.AddApiKey(key, nil)
			r.APIKeys[name] = key
		}
	}
}
