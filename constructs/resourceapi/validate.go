package resourceapi

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/gofunction"
	"github.com/acme/customers-api/constructs/internal/cdkx"
	"github.com/acme/customers-api/lambdakit/idempotency/layout"
)

// validate reports every invalid prop as an error annotation naming it,
// and says whether the props are valid; New builds nothing from invalid
// props, so synth fails with the messages, never with a panic.
func validate(c constructs.Construct, p Props) bool {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if p.Name == "" {
		bad("Name is required")
	}
	if p.Disposable && strings.HasSuffix(p.Name, "-prod") {
		bad("Disposable: %s is a production name (it ends in -prod); its table, logs and queues must outlive the stack", p.Name)
	}
	if p.UserPool == nil && slices.ContainsFunc(p.Operations, func(op Operation) bool { return !op.IAM && op.Authorizer == "" }) {
		bad("UserPool is required: every operation without IAM or an Authorizer needs a Cognito token")
	}
	problems = append(problems, validateAuthorizers(p)...)
	for _, msg := range p.Functions.Problems() {
		bad("Functions: %s", msg)
	}
	if p.Table == nil && p.NewTable == nil {
		bad("Table or NewTable is required")
	}
	if p.Table != nil && p.NewTable != nil {
		bad("set Table or NewTable, not both")
	}
	if len(p.Operations) == 0 {
		bad("at least one Operation is required")
	}
	if _, ok := rolloutConfigs[p.Rollout.Strategy]; !ok {
		bad("Rollout.Strategy %q must be %s, %s or %s", p.Rollout.Strategy, Canary, Linear, AllAtOnce)
	}
	if e := p.Events; e != nil {
		for _, f := range []struct{ name, value string }{
			{"PublisherEntry", e.PublisherEntry}, {"ForwarderEntry", e.ForwarderEntry}, {"ItemType", e.ItemType}, {"EventSource", e.EventSource},
		} {
			if f.value == "" {
				bad("Events.%s is required", f.name)
			}
		}
		if !hasStream(p) {
			bad("Events: the Table needs a stream (NewTable.Stream, or a Table with its TableStreamArn): events are read from it")
		}
	}
	resourceServers, known := poolScopes(p.UserPool)
	names := map[string]bool{}
	for i, op := range p.Operations {
		switch {
		case op.Name == "" || names[op.Name]:
			bad("Operations[%d]: Name %q must be set and unique", i, op.Name)
		case op.Entry == "":
			bad("operation %s: Entry (the handler's Go package) is required", op.Name)
		case len(op.Access.Actions) == 0 && len(op.Access.IndexActions) == 0:
			bad("operation %s: Access is required (for example resourceapi.ReadAccess)", op.Name)
		case slices.ContainsFunc(append(slices.Clone(op.Access.Actions), op.Access.IndexActions...), func(a string) bool { return strings.Contains(a, "*") }):
			bad("operation %s: Access must not use wildcard actions", op.Name)
		case (len(op.Access.IndexActions) == 0) != (len(op.Access.Indexes) == 0):
			bad("operation %s: Access needs both IndexActions and Indexes, or neither", op.Name)
		}
		names[op.Name] = true
		for _, msg := range (gofunction.Settings{MemoryMB: op.MemoryMB, Timeout: op.Timeout}).Problems() {
			bad("operation %s: %s", op.Name, msg)
		}
		for _, scope := range op.Scopes {
			if !known {
				break
			}
			if _, ok := resourceServers[resolvedScope(p.UserPool, scope)]; !ok {
				bad("operation %s: Scopes: %q is not a scope of the UserPool's resource servers (%s); Cognito never puts it in a token", op.Name, scope, strings.Join(slices.Compact(slices.Sorted(maps.Values(resourceServers))), ", "))
			}
		}
		if t := op.Throttle; t != nil && (t.RateLimit > p.API.Throttle.RateLimit || t.BurstLimit > p.API.Throttle.BurstLimit) {
			bad("operation %s: Throttle (%g/s, burst %d) is above the stage's (API.Throttle %g/s, burst %d), which binds first", op.Name, t.RateLimit, t.BurstLimit, p.API.Throttle.RateLimit, p.API.Throttle.BurstLimit)
		}
		if op.Idempotent {
			problems = append(problems, idempotencyProblems(p, op)...)
		}
	}
	for _, msg := range problems {
		cdkx.Error(c, "resourceapi: %s", msg)
	}
	return len(problems) == 0
}

// hasStream says whether the table the events read has a stream.
func hasStream(p Props) bool {
	if p.Table != nil {
		return p.Table.TableStreamArn() != nil
	}
	return p.NewTable != nil && p.NewTable.Stream
}

// poolScopes are the scopes of the pool's resource servers
// (AWS::Cognito::UserPoolResourceServer), when the pool is defined in this
// app; known is false for an imported pool, whose resource servers synth
// cannot see. A scope's full name is "<identifier>/<scope name>" (Cognito
// Developer Guide, "Scopes, M2M, and APIs with resource servers"); the
// identifier may be the server's Ref (which CloudFormation returns as the
// identifier), so each is keyed by its resolved form (see resolvedScope),
// and holds the name to show.
func poolScopes(pool awscognito.IUserPool) (scopes map[string]string, known bool) {
	if pool == nil {
		return nil, false
	}
	if _, defined := pool.(awscognito.UserPool); !defined {
		return nil, false
	}
	stack := awscdk.Stack_Of(pool)
	scopes = map[string]string{}
	for _, n := range *pool.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		rs, ok := n.(awscognito.CfnUserPoolResourceServer)
		if !ok {
			continue
		}
		id, _ := stack.Resolve(rs.Identifier()).(string)
		list, _ := stack.Resolve(rs.Scopes()).([]any)
		for _, s := range list {
			fields, _ := s.(map[string]any)
			name, _ := field(fields, "ScopeName").(string)
			for _, full := range []string{id + "/" + name, *rs.Ref() + "/" + name} {
				scopes[resolvedScope(pool, full)] = id + "/" + name
			}
		}
	}
	return scopes, true
}

// resolvedScope is scope as the pool's stack renders it, a string or an
// Fn::Join, printed.
func resolvedScope(pool awscognito.IUserPool, scope string) string {
	return fmt.Sprint(awscdk.Stack_Of(pool).Resolve(jsii.String(scope)))
}

// idempotencyProblems are what keeps lambdakit/idempotency from working
// for op: a table whose key or TTL attributes are not the records', and
// an Access without the store's actions or its records' leading keys.
func idempotencyProblems(p Props, op Operation) []string {
	var problems []string
	if t := p.NewTable; p.Table == nil && t != nil {
		if t.PartitionKey != layout.PartitionKey || t.SortKey != layout.SortKey || t.TTLAttribute != layout.TTLAttribute {
			problems = append(problems, fmt.Sprintf("operation %s is Idempotent: NewTable needs PartitionKey %q, SortKey %q and TTLAttribute %q, the attributes of lambdakit/idempotency's records (it has %q, %q, %q)",
				op.Name, layout.PartitionKey, layout.SortKey, layout.TTLAttribute, t.PartitionKey, t.SortKey, t.TTLAttribute))
		}
	} else if keys, ok := tableKeys(p.Table); ok && (keys[0] != layout.PartitionKey || keys[1] != layout.SortKey) {
		problems = append(problems, fmt.Sprintf("operation %s is Idempotent: Table's keys are %q and %q; lambdakit/idempotency's records need %q and %q",
			op.Name, keys[0], keys[1], layout.PartitionKey, layout.SortKey))
	}
	var missing []string
	for _, a := range layout.Actions {
		if !slices.Contains(op.Access.Actions, a) {
			missing = append(missing, a)
		}
	}
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("operation %s is Idempotent: Access.Actions lacks %s, which lambdakit/idempotency calls", op.Name, strings.Join(missing, ", ")))
	}
	if lk := op.Access.LeadingKeys; len(lk) > 0 && !slices.ContainsFunc(lk, func(pattern string) bool { return stringLike(pattern, layout.KeyPrefix+"0") }) {
		problems = append(problems, fmt.Sprintf("operation %s is Idempotent: Access.LeadingKeys %q admit no record key; add %q", op.Name, lk, layout.KeyPrefix+"*"))
	}
	return problems
}

// tableKeys are the partition and sort key of a table defined in this app
// (its AWS::DynamoDB::Table's KeySchema); ok is false for an imported
// table, whose keys synth cannot see.
func tableKeys(t awsdynamodb.ITable) (keys [2]string, ok bool) {
	if _, defined := t.(awsdynamodb.Table); !defined {
		return keys, false
	}
	cfn, isCfn := t.Node().DefaultChild().(awsdynamodb.CfnTable)
	if !isCfn {
		return keys, false
	}
	schema, _ := awscdk.Stack_Of(t).Resolve(cfn.KeySchema()).([]any)
	for _, k := range schema {
		k, _ := k.(map[string]any)
		name, _ := field(k, "AttributeName").(string)
		switch field(k, "KeyType") {
		case "HASH":
			keys[0] = name
		case "RANGE":
			keys[1] = name
		}
	}
	return keys, true
}

// stringLike is IAM's StringLike: "*" matches any run of characters, "?"
// one character, and every other character itself ("IAM JSON policy
// elements: Condition operators", string condition operators).
func stringLike(pattern, value string) bool {
	for ; pattern != ""; pattern = pattern[1:] {
		switch pattern[0] {
		case '*':
			for i := range len(value) + 1 {
				if stringLike(pattern[1:], value[i:]) {
					return true
				}
			}
			return false
		case '?':
			_, n := utf8.DecodeRuneInString(value)
			if n == 0 {
				return false
			}
			value = value[n:]
		default:
			if value == "" || value[0] != pattern[0] {
				return false
			}
			value = value[1:]
		}
	}
	return value == ""
}

// field is the property name of an L1 property type, as Stack.Resolve
// gives it: in CloudFormation's case, or in jsii's camel case while the
// construct has not rendered it.
func field(m map[string]any, name string) any {
	if v, ok := m[name]; ok {
		return v
	}
	return m[strings.ToLower(name[:1])+name[1:]]
}
