package test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"

	"github.com/acme/customers-api/constructs/restapi"
	"github.com/acme/customers-api/internal/customers/contract"
)

func props(r *map[string]any) map[string]any { return (*r)["Properties"].(map[string]any) }

func TestEveryMethodNeedsATokenWithTheRightScopeAnAPIKeyAndValidation(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			methods := *template(s.Api.Stack).FindResources(jsii.String("AWS::ApiGateway::Method"), nil)
			checked := 0
			for id, m := range methods {
				p := props(m)
				method := p["HttpMethod"].(string)
				if method == "OPTIONS" || method == "ANY" {
					// CORS preflights and the 405 answers: MOCK, no backend.
					if p["AuthorizationType"] != "NONE" || p["Integration"].(map[string]any)["Type"] != "MOCK" {
						t.Errorf("%s %s must be a MOCK without auth", id, method)
					}
					continue
				}
				checked++
				scope := contract.ScopeWrite
				if method == "GET" || method == "HEAD" {
					scope = contract.ScopeRead
				}
				if p["AuthorizationType"] != "COGNITO_USER_POOLS" || p["AuthorizerId"] == nil {
					t.Errorf("%s: authorization %v, want a Cognito user pool authorizer", id, p["AuthorizationType"])
				}
				if got := fmt.Sprint(p["AuthorizationScopes"]); got != "["+scope+"]" {
					t.Errorf("%s %s: scopes %s, want [%s]", id, method, got, scope)
				}
				if p["ApiKeyRequired"] != true {
					t.Errorf("%s: no API key required", id)
				}
				if p["RequestValidatorId"] == nil {
					t.Errorf("%s: no request validator", id)
				}
				if hasBody := method == "POST" || method == "PUT"; hasBody != (p["RequestModels"] != nil) {
					t.Errorf("%s %s: request models %v", id, method, p["RequestModels"])
				}
			}
			if checked != 7 {
				t.Errorf("%d methods with a backend, want 7 (5 operations and a HEAD for each GET)", checked)
			}
		})
	}
}

func TestUsagePlansCarryTheConfiguredLimits(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			tmpl := template(s.Api.Stack)
			for _, plan := range s.Env.API.UsagePlans {
				tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::UsagePlan"), map[string]any{
					"UsagePlanName": "customers-" + s.Env.Name + "-" + plan.Name,
					"Throttle":      map[string]any{"RateLimit": plan.Throttle.RateLimit, "BurstLimit": plan.Throttle.BurstLimit},
					"Quota":         map[string]any{"Limit": plan.QuotaPerDay, "Period": "DAY"},
				})
			}
			keys := 0
			for _, p := range s.Env.API.UsagePlans {
				keys += len(p.APIKeys)
			}
			tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::UsagePlan"), jsii.Number(len(s.Env.API.UsagePlans)))
			tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::UsagePlanKey"), jsii.Number(keys))
			for id, k := range *tmpl.FindResources(jsii.String("AWS::ApiGateway::ApiKey"), nil) {
				if _, has := props(k)["Value"]; has {
					t.Errorf("API key %s has a value in the template", id)
				}
			}
		})
	}
}

func TestEveryGatewayErrorIsAProblemDocument(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			var got []string
			for id, r := range *template(s.Api.Stack).FindResources(jsii.String("AWS::ApiGateway::GatewayResponse"), nil) {
				p := props(r)
				got = append(got, p["ResponseType"].(string))
				params := p["ResponseParameters"].(map[string]any)
				if params["gatewayresponse.header.Content-Type"] != "'application/problem+json'" {
					t.Errorf("%s: Content-Type %v", id, params["gatewayresponse.header.Content-Type"])
				}
				if len(s.Env.API.CORSOrigins) == 1 && params["gatewayresponse.header.Access-Control-Allow-Origin"] != "'"+s.Env.API.CORSOrigins[0]+"'" {
					t.Errorf("%s: no CORS header for %s", id, s.Env.API.CORSOrigins[0])
				}
				if len(s.Env.API.CORSOrigins) == 1 && params["gatewayresponse.header.Access-Control-Expose-Headers"] != "'ETag, Location, Retry-After, Idempotent-Replayed'" {
					t.Errorf("%s: Access-Control-Expose-Headers %v", id, params["gatewayresponse.header.Access-Control-Expose-Headers"])
				}
				body := p["ResponseTemplates"].(map[string]any)["application/json"].(string)
				for _, field := range []string{`"type":"` + restapi.ProblemTypeBase, `"title":`, `"detail":`, `"requestId":"$context.requestId"`} {
					if !strings.Contains(body, field) {
						t.Errorf("%s: body %s lacks %s", id, body, field)
					}
				}
				// One error shape: a validation error has the errors list,
				// one entry with pointer "" (the gateway names no place).
				if strings.Contains(body, "validation-error") && !strings.Contains(body, `"errors":[{"pointer":"","detail":`) {
					t.Errorf("%s: validation error %s has no errors list", id, body)
				}
				// RFC 9110 §11.6.1, RFC 6750 §3.
				challenge, _ := params["gatewayresponse.header.WWW-Authenticate"].(string)
				wantChallenge := map[string]string{
					"UNAUTHORIZED":  `'Bearer realm="api"'`,
					"EXPIRED_TOKEN": `'Bearer realm="api", error="invalid_token", error_description="The access token expired"'`,
					"ACCESS_DENIED": `'Bearer realm="api", error="insufficient_scope"'`,
				}[p["ResponseType"].(string)]
				if challenge != wantChallenge {
					t.Errorf("%s: WWW-Authenticate %q, want %q", id, challenge, wantChallenge)
				}
			}
			var want []string
			for _, g := range restapi.GatewayResponses {
				want = append(want, *g.Type.ResponseType())
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("gateway responses %v, want %v", got, want)
			}
			for _, typ := range []string{"BAD_REQUEST_BODY", "UNAUTHORIZED", "ACCESS_DENIED", "THROTTLED", "QUOTA_EXCEEDED", "REQUEST_TOO_LARGE", "DEFAULT_4XX", "DEFAULT_5XX"} {
				if !slices.Contains(got, typ) {
					t.Errorf("no gateway response for %s", typ)
				}
			}
		})
	}
}

func TestTheStageLogsTracesAndThrottles(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			template(s.Api.Stack).HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), map[string]any{
				"TracingEnabled":   true,
				"AccessLogSetting": map[string]any{"DestinationArn": assertions.Match_AnyValue(), "Format": restapi.AccessLogFormat},
				"MethodSettings": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
					"HttpMethod": "*", "ResourcePath": "/*", "LoggingLevel": "ERROR", "DataTraceEnabled": false, "MetricsEnabled": true,
					"ThrottlingRateLimit": s.Env.API.Throttle.RateLimit, "ThrottlingBurstLimit": s.Env.API.Throttle.BurstLimit,
				})}),
			})
			template(s.Api.Stack).HasResourceProperties(jsii.String("AWS::ApiGateway::RestApi"), map[string]any{
				"EndpointConfiguration": map[string]any{"Types": []string{"REGIONAL"}},
			})
			if w := s.Env.WriteThrottle; w != nil {
				template(s.Api.Stack).HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), map[string]any{
					"MethodSettings": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
						"HttpMethod": "POST", "ResourcePath": "/~1customers", "ThrottlingRateLimit": w.RateLimit, "ThrottlingBurstLimit": w.BurstLimit,
					})}),
				})
			}
		})
	}
}

func TestWAFGuardsTheStageWhereConfigured(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			tmpl := template(s.Api.Stack)
			n := 0
			if s.Env.API.WAF {
				n = 1
				tmpl.HasResourceProperties(jsii.String("AWS::WAFv2::WebACL"), map[string]any{
					"Scope": "REGIONAL",
					"Rules": assertions.Match_ArrayWith(&[]any{map[string]any{
						"Name": "RateLimitPerIP", "Priority": 3, "Action": map[string]any{"Block": map[string]any{}},
						"Statement":        map[string]any{"RateBasedStatement": map[string]any{"Limit": s.Env.API.WAFRateLimit, "AggregateKeyType": "IP"}},
						"VisibilityConfig": assertions.Match_AnyValue(),
					}}),
				})
				for _, group := range restapi.ManagedRuleGroups {
					tmpl.HasResourceProperties(jsii.String("AWS::WAFv2::WebACL"), map[string]any{
						"Rules": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{"Name": group})}),
					})
				}
			}
			tmpl.ResourceCountIs(jsii.String("AWS::WAFv2::WebACLAssociation"), jsii.Number(n))
			tmpl.ResourceCountIs(jsii.String("AWS::WAFv2::LoggingConfiguration"), jsii.Number(n))
		})
	}
}

func TestCORSOriginsMatchTheConfig(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			for _, m := range *template(s.Api.Stack).FindResources(jsii.String("AWS::ApiGateway::Method"), nil) {
				p := props(m)
				if p["HttpMethod"] != "OPTIONS" {
					continue
				}
				resp := p["Integration"].(map[string]any)["IntegrationResponses"].([]any)[0].(map[string]any)
				origin := resp["ResponseParameters"].(map[string]any)["method.response.header.Access-Control-Allow-Origin"]
				if origin != "'"+s.Env.API.CORSOrigins[0]+"'" {
					t.Errorf("preflight allows %v, want %s", origin, s.Env.API.CORSOrigins[0])
				}
				if s.Env.Name == "prod" && strings.Contains(fmt.Sprint(origin), "*") {
					t.Error("prod allows any origin")
				}
			}
		})
	}
}

func TestRequestModelsAreTheHandlersSchemaFiles(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			models := *template(s.Api.Stack).FindResources(jsii.String("AWS::ApiGateway::Model"), nil)
			found := 0
			for _, op := range contract.Operations {
				if op.BodyModel == "" {
					continue
				}
				var want map[string]any
				json.Unmarshal(contract.Schema(op.BodySchema), &want)
				for _, m := range models {
					if p := props(m); p["Name"] == op.BodyModel {
						found++
						if diff := cmp.Diff(want, p["Schema"]); diff != "" {
							t.Errorf("model %s differs from %s:\n%s", op.BodyModel, op.BodySchema, diff)
						}
					}
				}
			}
			if found != 2 {
				t.Errorf("found %d body models, want 2", found)
			}
		})
	}
}

// RFC 9110 §9.1: every GET route answers HEAD, with GET's function,
// authorizer, scopes, API key, parameters and validator; so a HEAD is
// authorized, metered and throttled as its GET.
func TestEveryGETHasAHEADTwin(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			byResource := map[string]map[string]map[string]any{}
			for _, m := range *template(s.Api.Stack).FindResources(jsii.String("AWS::ApiGateway::Method"), nil) {
				p := props(m)
				resource := fmt.Sprint(p["ResourceId"])
				if byResource[resource] == nil {
					byResource[resource] = map[string]map[string]any{}
				}
				byResource[resource][p["HttpMethod"].(string)] = p
			}
			gets := 0
			for resource, methods := range byResource {
				get, ok := methods["GET"]
				if !ok {
					continue
				}
				gets++
				head := methods["HEAD"]
				if head == nil {
					t.Errorf("resource %s has GET and no HEAD", resource)
					continue
				}
				for _, p := range []map[string]any{get, head} {
					delete(p, "HttpMethod")
					delete(p, "OperationName")
				}
				if diff := cmp.Diff(get, head); diff != "" {
					t.Errorf("resource %s: HEAD differs from GET (-GET +HEAD):\n%s", resource, diff)
				}
			}
			if gets != 2 {
				t.Errorf("%d resources with GET, want 2", gets)
			}
		})
	}
}

// A method a resource lacks is 405 with the resource's methods in Allow
// (RFC 9110 §15.5.6), from an ANY method: API Gateway gives a resource's
// own methods precedence over ANY.
func TestEveryResourceAnswersAMethodItLacksWith405AndAllow(t *testing.T) {
	want := map[string]string{"/customers": "GET, HEAD, OPTIONS, POST", "/customers/{id}": "DELETE, GET, HEAD, OPTIONS, PUT"}
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			tmpl := template(s.Api.Stack)
			paths := map[string]string{}
			for id, r := range *tmpl.FindResources(jsii.String("AWS::ApiGateway::Resource"), nil) {
				part := props(r)["PathPart"].(string)
				if part == "customers" {
					paths[id] = "/customers"
				} else {
					paths[id] = "/customers/" + part
				}
			}
			found := 0
			for id, m := range *tmpl.FindResources(jsii.String("AWS::ApiGateway::Method"), nil) {
				p := props(m)
				if p["HttpMethod"] != "ANY" {
					continue
				}
				found++
				ref, _ := p["ResourceId"].(map[string]any)["Ref"].(string)
				path := paths[ref]
				responses := p["Integration"].(map[string]any)["IntegrationResponses"].([]any)
				r := responses[0].(map[string]any)
				params := r["ResponseParameters"].(map[string]any)
				body := r["ResponseTemplates"].(map[string]any)["application/json"].(string)
				if len(responses) != 1 || r["StatusCode"] != "405" || params["method.response.header.Allow"] != "'"+want[path]+"'" ||
					!strings.Contains(body, `"type":"urn:problem-type:method-not-allowed"`) || !strings.Contains(body, `"requestId":"$context.requestId"`) {
					t.Errorf("%s (%s): ANY answers %v %v %s, want 405 with Allow: %s and a problem", id, path, r["StatusCode"], params, body, want[path])
				}
			}
			if found != len(want) {
				t.Errorf("%d ANY methods, want one per resource (%d)", found, len(want))
			}
		})
	}
}
