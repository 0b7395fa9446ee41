package resourceapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"

	"github.com/acme/customers-api/constructs/internal/cdkx"
)

func validate(c constructs.Construct, p Props) bool {
	var problems []string
	if p.Name == "" {
		problems = append(problems, "Name is required")
	}
	if p.UserPool == nil && slices.ContainsFunc(p.Operations, func(op Operation) bool { return !op.IAM && op.Authorizer == "" }) {
		problems = append(problems, "UserPool is required: every operation without IAM or an Authorizer needs a Cognito token")
	}
	problems = append(problems, validateAuthorizers(p)...)
	if p.Table == nil && p.NewTable == nil {
		problems = append(problems, "Table or NewTable is required")
	}
	if len(p.Operations) == 0 {
		problems = append(problems, "at least one Operation is required")
	}
	if _, ok := rolloutConfigs[p.Rollout.Strategy]; !ok {
		problems = append(problems, fmt.Sprintf("Rollout.Strategy %q must be %s, %s or %s", p.Rollout.Strategy, Canary, Linear, AllAtOnce))
	}
	names := map[string]bool{}
	for i, op := range p.Operations {
		switch {
		case op.Name == "" || names[op.Name]:
			problems = append(problems, fmt.Sprintf("Operations[%d]: Name %q must be set and unique", i, op.Name))
		case op.Entry == "":
			problems = append(problems, fmt.Sprintf("operation %s: Entry (the handler's Go package) is required", op.Name))
		case len(op.Access.Actions) == 0 && len(op.Access.IndexActions) == 0:
			problems = append(problems, fmt.Sprintf("operation %s: Access is required (for example resourceapi.ReadAccess)", op.Name))
		case slices.ContainsFunc(append(slices.Clone(op.Access.Actions), op.Access.IndexActions...), func(a string) bool { return strings.Contains(a, "*") }):
			problems = append(problems, fmt.Sprintf("operation %s: Access must not use wildcard actions", op.Name))
		case (len(op.Access.IndexActions) == 0) != (len(op.Access.Indexes) == 0):
			problems = append(problems, fmt.Sprintf("operation %s: Access needs both IndexActions and Indexes, or neither", op.Name))
		}
		names[op.Name] = true
	}
	for _, msg := range problems {
		cdkx.Error(c, "resourceapi: %s", msg)
	}
	return len(problems) == 0
}
