package test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/acme/customers-api/constructs/restapi"
)

// The first deployment must already hold everything it snapshots: the
// deployment depends on every API Gateway resource of its API that is part
// of a deployment (CloudFormation, AWS::ApiGateway::Deployment: "the
// deployment must depend on the RestApi's methods"), not only on those CDK's
// L2 constructs add. That its logical id follows their changes is proven
// per kind in constructs/restapi (TestEveryChangeToWhatTheStageServesCreatesANewDeployment).
func TestTheDeploymentDependsOnEveryResourceItSnapshots(t *testing.T) {
	for _, s := range services {
		resources := template(s.Api.Stack).ToJSON()
		all := (*resources)["Resources"].(map[string]any)
		var deployment map[string]any
		var api string
		for id, r := range all {
			switch r := r.(map[string]any); r["Type"] {
			case "AWS::ApiGateway::Deployment":
				deployment = r
			case "AWS::ApiGateway::RestApi":
				api = id
			}
		}
		if deployment == nil {
			t.Fatalf("%s: no deployment", s.Env.Name)
		}
		var dependsOn []string
		b, _ := json.Marshal(deployment["DependsOn"])
		json.Unmarshal(b, &dependsOn)
		n := 0
		for id, r := range all {
			r := r.(map[string]any)
			kind := r["Type"].(string)
			props, _ := r["Properties"].(map[string]any)
			if !restapi.Snapshotted(kind) || !strings.Contains(jsonOf(props["RestApiId"]), `"`+api+`"`) {
				continue
			}
			n++
			if !slices.Contains(dependsOn, id) {
				t.Errorf("%s: the deployment does not depend on %s %s", s.Env.Name, kind, id)
			}
		}
		if n < 20 {
			t.Errorf("%s: only %d resources found in the deployment's snapshot", s.Env.Name, n)
		}
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
