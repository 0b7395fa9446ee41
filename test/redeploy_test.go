package test

import (
	"encoding/json"
	"regexp"
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

// refs are the logical ids of the template's resources that v names by Ref,
// Fn::GetAtt or Fn::Sub.
func refs(v any, resources map[string]any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				switch k {
				case "Ref":
					if s, ok := x.(string); ok {
						out = append(out, s)
					}
				case "Fn::GetAtt":
					if l, ok := x.([]any); ok && len(l) > 0 {
						out = append(out, l[0].(string))
					}
				case "Fn::Sub":
					s := x
					if l, ok := x.([]any); ok {
						s = l[0]
					}
					for _, m := range subVar.FindAllStringSubmatch(s.(string), -1) {
						out = append(out, strings.Split(m[1], ".")[0])
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return slices.DeleteFunc(out, func(id string) bool { _, ok := resources[id]; return !ok })
}

var subVar = regexp.MustCompile(`\$\{([^!}][^}]*)\}`)

// dependencies are the edges CloudFormation orders resources by: Ref,
// Fn::GetAtt and Fn::Sub in Properties, and DependsOn ("DependsOn
// attribute", CloudFormation User Guide). Names inside UpdatePolicy are not
// among them.
func dependencies(resources map[string]any) map[string][]string {
	out := map[string][]string{}
	for id, r := range resources {
		r := r.(map[string]any)
		out[id] = refs(r["Properties"], resources)
		switch d := r["DependsOn"].(type) {
		case string:
			out[id] = append(out[id], d)
		case []any:
			for _, x := range d {
				out[id] = append(out[id], x.(string))
			}
		}
	}
	return out
}

// reaches says whether from depends on to, directly or through others.
func reaches(graph map[string][]string, from, to string) bool {
	seen := map[string]bool{}
	stack := []string{from}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, next := range graph[id] {
			if next == to {
				return true
			}
			if !seen[next] {
				seen[next] = true
				stack = append(stack, next)
			}
		}
	}
	return false
}

// CloudFormation updates an alias only after what its UpdatePolicy names —
// the CodeDeploy application and group, and the pre-traffic hook — and
// that hook checks the very version the alias moves to.
func TestEveryAliasUpdateWaitsForItsDeploymentGroupAndHook(t *testing.T) {
	for _, s := range services {
		resources := (*template(s.Api.Stack).ToJSON())["Resources"].(map[string]any)
		graph := dependencies(resources)
		hooks := 0
		for id, r := range resources {
			r := r.(map[string]any)
			policy, ok := r["UpdatePolicy"].(map[string]any)
			if !ok {
				continue
			}
			for _, named := range refs(policy, resources) {
				if !reaches(graph, id, named) {
					t.Errorf("%s: %s names %s in its UpdatePolicy but does not depend on it", s.Env.Name, id, named)
				}
			}
			update, _ := policy["CodeDeployLambdaAliasUpdate"].(map[string]any)
			hook := refs(update["BeforeAllowTrafficHook"], resources)
			if len(hook) == 0 {
				continue
			}
			hooks++
			version := refs(r["Properties"].(map[string]any)["FunctionVersion"], resources)
			if len(version) != 1 || !reaches(graph, hook[0], version[0]) {
				t.Errorf("%s: the pre-traffic hook %v of %s does not depend on the version %v it must check", s.Env.Name, hook, id, version)
			}
		}
		if want := len(s.Api.Customers.SmokeChecks); hooks != want {
			t.Errorf("%s: %d aliases with a pre-traffic hook, want %d", s.Env.Name, hooks, want)
		}
	}
}
