package resourceapi

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/gofunction"
)

// TableAccess is what an operation's function may do to the table: Actions
// on the table (limited to items whose partition key starts with one of
// LeadingKeys, when given) and IndexActions on the named Indexes. Never use
// wildcard actions.
type TableAccess struct {
	Actions      []string
	LeadingKeys  []string
	IndexActions []string
	Indexes      []string
}

// ReadAccess and WriteAccess are the usual grants on the table itself.
var (
	ReadAccess  = TableAccess{Actions: []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}}
	WriteAccess = TableAccess{Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"}}
)

// grant gives fn exactly the table access of its operation.
func grant(fn *gofunction.Function, t awsdynamodb.ITable, a TableAccess) {
	if len(a.Actions) > 0 {
		st := &awsiam.PolicyStatementProps{Actions: jsii.Strings(a.Actions...), Resources: jsii.Strings(*t.TableArn())}
		if len(a.LeadingKeys) > 0 {
			st.Conditions = &map[string]any{"ForAllValues:StringLike": map[string]any{"dynamodb:LeadingKeys": a.LeadingKeys}}
		}
		fn.Role.AddToPolicy(awsiam.NewPolicyStatement(st))
	}
	if len(a.IndexActions) > 0 {
		var arns []string
		for _, ix := range a.Indexes {
			arns = append(arns, *t.TableArn()+"/index/"+ix)
		}
		fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings(a.IndexActions...), Resources: jsii.Strings(arns...),
		}))
	}
}

// indexes are the table's global secondary indexes: those of a new table
// and those the operations query.
func indexes(p Props) []string {
	var out []string
	if p.NewTable != nil && p.Table == nil {
		for _, ix := range p.NewTable.Indexes {
			out = append(out, ix.Name)
		}
	}
	for _, op := range p.Operations {
		out = append(out, op.Access.Indexes...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
