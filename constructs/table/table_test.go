package table_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/table"
	"github.com/acme/customers-api/internal/testenv/cdkmain"
)

func TestMain(m *testing.M) { cdkmain.Run(m) }

func newTable(mode table.InsightsMode) awscdk.Stack {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	table.New(stack, "Things", table.Props{PartitionKey: "pk", SortKey: "sk", LogicalID: "Things",
		Indexes: []table.Index{{Name: "byOwner", PartitionKey: "owner", SortKey: "sk"}}, ContributorInsights: mode})
	return stack
}

// The table and every index record in the chosen mode; unset is the mode
// the construct always had.
func TestContributorInsightsRunsInTheChosenModeOnTheTableAndEveryIndex(t *testing.T) {
	for mode, want := range map[table.InsightsMode]string{
		"":                                     "ACCESSED_AND_THROTTLED_KEYS",
		table.InsightsAccessedAndThrottledKeys: "ACCESSED_AND_THROTTLED_KEYS",
		table.InsightsThrottledKeys:            "THROTTLED_KEYS",
	} {
		spec := map[string]any{"Enabled": true, "Mode": want}
		assertions.Template_FromStack(newTable(mode), nil).HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), map[string]any{
			"ContributorInsightsSpecification": spec,
			"GlobalSecondaryIndexes": []any{assertions.Match_ObjectLike(&map[string]any{
				"IndexName": "byOwner", "ContributorInsightsSpecification": spec,
			})},
		})
	}
}

func TestAnUnknownContributorInsightsModeIsAnAnnotationError(t *testing.T) {
	stack := newTable("EVERYTHING")
	errs := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("ContributorInsights \"EVERYTHING\" must be")))
	if len(*errs) != 1 {
		t.Errorf("want one error naming ContributorInsights, got %d", len(*errs))
	}
}
