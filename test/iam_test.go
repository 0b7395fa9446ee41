package test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"

	"github.com/acme/customers-api/stacks"
)

// wantTableActions is, per function, every DynamoDB action its handler
// calls: on the table (table) and on the list indexes (index).
var wantTableActions = map[string]struct{ table, index []string }{
	"list":   {table: []string{"dynamodb:GetItem"}, index: []string{"dynamodb:Query"}},
	"get":    {table: []string{"dynamodb:GetItem"}},
	"create": {table: []string{"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}},
	"update": {table: []string{"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}},
	"delete": {table: []string{"dynamodb:DeleteItem", "dynamodb:GetItem"}},
}

type statement struct {
	Action    []string
	Resource  []any
	Condition map[string]any
}

// roleStatements returns the statements of the policies attached to a role.
func roleStatements(t *testing.T, stack awscdk.Stack, roleID string) []statement {
	t.Helper()
	var out []statement
	for _, p := range *template(stack).FindResources(jsii.String("AWS::IAM::Policy"), nil) {
		props := (*p)["Properties"].(map[string]any)
		if !slices.ContainsFunc(props["Roles"].([]any), func(r any) bool { return r.(map[string]any)["Ref"] == roleID }) {
			continue
		}
		for _, raw := range props["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			b, _ := json.Marshal(raw)
			var s struct {
				Action, Resource any
				Condition        map[string]any
			}
			json.Unmarshal(b, &s)
			out = append(out, statement{Action: strings1(s.Action), Resource: list(s.Resource), Condition: s.Condition})
		}
	}
	return out
}

func strings1(v any) []string {
	var out []string
	for _, x := range list(v) {
		out = append(out, x.(string))
	}
	slices.Sort(out)
	return out
}

func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func TestEachFunctionMayOnlyUseItsOwnTableActions(t *testing.T) {
	for _, s := range services {
		for name, want := range wantTableActions {
			t.Run(s.Env.Name+"/"+name, func(t *testing.T) {
				fn := s.Api.Customers.Functions[name]
				roleID := *s.Api.Stack.GetLogicalId(fn.Role.Node().DefaultChild().(awscdk.CfnElement))
				var table, index []string
				for _, st := range roleStatements(t, s.Api.Stack, roleID) {
					for _, a := range st.Action {
						if strings.Contains(a, "*") {
							t.Errorf("wildcard action %q", a)
						}
					}
					if !strings.HasPrefix(st.Action[0], "dynamodb:") {
						continue
					}
					resources, _ := json.Marshal(st.Resource)
					switch {
					case strings.Contains(string(resources), "/index/"):
						index = append(index, st.Action...)
						if !strings.Contains(string(resources), "/index/byCreated") || !strings.Contains(string(resources), "/index/byStatus") || len(st.Resource) != 2 {
							t.Errorf("index statement resources %s, want the two list indexes", resources)
						}
					default:
						table = append(table, st.Action...)
						if len(st.Resource) != 1 || !strings.HasSuffix(string(resources), `:table/`+stacks.TableName(s.Env)+`"]`) {
							t.Errorf("table statement resources %s, want only the table's ARN", resources)
						}
						if st.Condition["ForAllValues:StringLike"] == nil {
							t.Errorf("table statement has no dynamodb:LeadingKeys condition")
						}
					}
				}
				if diff := cmp.Diff(want.table, table); diff != "" {
					t.Errorf("table actions (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(want.index, index); diff != "" {
					t.Errorf("index actions (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestNoPolicyAnywhereAllowsAWildcardAction(t *testing.T) {
	allStacks(t, func(t *testing.T, _ *stacks.Deployment, stack awscdk.Stack) {
		for id, p := range *template(stack).FindResources(jsii.String("AWS::IAM::Policy"), nil) {
			b, _ := json.Marshal((*p)["Properties"].(map[string]any)["PolicyDocument"])
			var doc struct{ Statement []struct{ Action any } }
			json.Unmarshal(b, &doc)
			for _, st := range doc.Statement {
				for _, a := range strings1(st.Action) {
					if strings.Contains(a, "*") {
						t.Errorf("%s allows %q", id, a)
					}
				}
			}
		}
	})
}
