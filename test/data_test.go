package test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/cdktest"
	"github.com/acme/customers-api/internal/customers/tabledesign"
	"github.com/acme/customers-api/stacks"
)

func TestTheCustomersTableIsDurableEncryptedAndStreamed(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			tmpl := template(s.Data.Stack)
			tmpl.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(1))
			tmpl.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), map[string]any{
				"BillingMode":                      "PAY_PER_REQUEST",
				"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
				"SSESpecification":                 map[string]any{"SSEEnabled": true},
				"StreamSpecification":              map[string]any{"StreamViewType": "NEW_AND_OLD_IMAGES"},
				"TimeToLiveSpecification":          map[string]any{"AttributeName": tabledesign.TTLAttribute, "Enabled": true},
				"KeySchema": []any{
					map[string]any{"AttributeName": tabledesign.PartitionKey, "KeyType": "HASH"},
					map[string]any{"AttributeName": tabledesign.SortKey, "KeyType": "RANGE"},
				},
				"GlobalSecondaryIndexes": []any{
					index(tabledesign.ListIndex, tabledesign.ListPartitionKey),
					index(tabledesign.StatusIndex, tabledesign.StatusPartitionKey),
				},
			})
		})
	}
}

func index(name, partitionKey string) map[string]any {
	return map[string]any{
		"IndexName": name,
		"KeySchema": []any{
			map[string]any{"AttributeName": partitionKey, "KeyType": "HASH"},
			map[string]any{"AttributeName": tabledesign.ListSortKey, "KeyType": "RANGE"},
		},
		"Projection": map[string]any{"ProjectionType": "ALL"},
	}
}

// Contributor Insights records in each environment's mode on the table and
// both indexes: prod and staging only throttled keys (issue 26).
func TestContributorInsightsRunsInEachEnvironmentsMode(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			spec := map[string]any{"Enabled": true, "Mode": s.Env.ContributorInsights}
			template(s.Data.Stack).HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), map[string]any{
				"ContributorInsightsSpecification": spec,
				"GlobalSecondaryIndexes": []any{
					assertions.Match_ObjectLike(&map[string]any{"IndexName": tabledesign.ListIndex, "ContributorInsightsSpecification": spec}),
					assertions.Match_ObjectLike(&map[string]any{"IndexName": tabledesign.StatusIndex, "ContributorInsightsSpecification": spec}),
				},
			})
		})
	}
	if services[2].Env.Name != "prod" || services[2].Env.ContributorInsights != "THROTTLED_KEYS" {
		t.Error("prod must record throttled keys only")
	}
}

func TestTheTableIsProtectedAndRetainedWhereConfigured(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			policy := "Delete"
			if s.Env.Retain {
				policy = "Retain"
			}
			resources := template(s.Data.Stack).FindResources(jsii.String("AWS::DynamoDB::Table"), nil)
			table, ok := (*resources)["CustomersTable"]
			if !ok {
				t.Fatalf("no table with the pinned logical ID CustomersTable")
			}
			if got := (*table)["DeletionPolicy"]; got != policy {
				t.Errorf("DeletionPolicy = %v, want %s", got, policy)
			}
			if got := (*table)["Properties"].(map[string]any)["DeletionProtectionEnabled"]; got != s.Env.Retain {
				t.Errorf("DeletionProtectionEnabled = %v, want %v", got, s.Env.Retain)
			}
		})
	}
	if !services[2].Env.Retain || services[2].Env.Name != "prod" {
		t.Error("prod must have deletion protection")
	}
}

func TestStackNamesCarryTheEnvironment(t *testing.T) {
	allStacks(t, func(t *testing.T, s *stacks.Deployment, stack awscdk.Stack) {
		if want := "Customers-" + s.Env.Name + "-"; (*stack.StackName())[:len(want)] != want {
			t.Errorf("stack name %s does not start with %s", *stack.StackName(), want)
		}
		if *stack.Account() != s.Env.Account || *stack.Region() != s.Env.Region {
			t.Errorf("stack env = %s/%s, want %s/%s", *stack.Account(), *stack.Region(), s.Env.Account, s.Env.Region)
		}
	})
}

func TestNoCdkNagFindingIsLeftUnsuppressed(t *testing.T) {
	allStacks(t, func(t *testing.T, _ *stacks.Deployment, stack awscdk.Stack) {
		for _, f := range cdktest.NagFindings(stack) {
			t.Error(f)
		}
	})
}
