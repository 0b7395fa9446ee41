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
				if method == "OPTIONS" {
					if p["AuthorizationType"] != "NONE" {
						t.Errorf("%s: CORS preflight must not need auth", id)
					}
					continue
				}
				checked++
				scope := contract.ScopeWrite
				if method == "GET" {
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
			if checked != 5 {
				t.Errorf("%d non-OPTIONS methods, want 5", checked)
			}
		})
	}
}

func TestUsagePlansCarryTheConfiguredLimits(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			tmpl := template(s.Api.Stack)
			for _, plan := range s.Env.UsagePlans {
				tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::UsagePlan"), map[string]any{
					"UsagePlanName": "customers-" + s.Env.Name + "-" + plan.Name,
					"Throttle":      map[string]any{"RateLimit": plan.Throttling.RateLimit, "BurstLimit": plan.Throttling.BurstLimit},
					"Quota":         map[string]any{"Limit": plan.QuotaPerDay, "Period": "DAY"},
				})
			}
			keys := 0
			for _, p := range s.Env.UsagePlans {
				keys += len(p.APIKeys)
			}
			tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::UsagePlan"), jsii.Number(len(s.Env.UsagePlans)))
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
				if len(s.Env.CORSOrigins) == 1 && params["gatewayresponse.header.Access-Control-Allow-Origin"] != "'"+s.Env.CORSOrigins[0]+"'" {
					t.Errorf("%s: no CORS header for %s", id, s.Env.CORSOrigins[0])
				}
				body := p["ResponseTemplates"].(map[string]any)["application/json"].(string)
				for _, field := range []string{`"type":"` + restapi.ProblemTypeBase, `"title":`, `"detail":`, `"requestId":"$context.requestId"`} {
					if !strings.Contains(body, field) {
						t.Errorf("%s: body %s lacks %s", id, body, field)
					}
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
					"ThrottlingRateLimit": s.Env.Throttling.RateLimit, "ThrottlingBurstLimit": s.Env.Throttling.BurstLimit,
				})}),
			})
			template(s.Api.Stack).HasResourceProperties(jsii.String("AWS::ApiGateway::RestApi"), map[string]any{
				"EndpointConfiguration": map[string]any{"Types": []string{"REGIONAL"}},
			})
			if w := s.Env.WriteThrottling; w != nil {
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
			if s.Env.WAF {
				n = 1
				tmpl.HasResourceProperties(jsii.String("AWS::WAFv2::WebACL"), map[string]any{
					"Scope": "REGIONAL",
					"Rules": assertions.Match_ArrayWith(&[]any{map[string]any{
						"Name": "RateLimitPerIP", "Priority": 3, "Action": map[string]any{"Block": map[string]any{}},
						"Statement":        map[string]any{"RateBasedStatement": map[string]any{"Limit": s.Env.WAFRateLimit, "AggregateKeyType": "IP"}},
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
				if origin != "'"+s.Env.CORSOrigins[0]+"'" {
					t.Errorf("preflight allows %v, want %s", origin, s.Env.CORSOrigins[0])
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
