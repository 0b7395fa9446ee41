package cost

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/acme/customers-api/internal/config"
	"github.com/acme/customers-api/internal/customers/store"
	td "github.com/acme/customers-api/internal/customers/tabledesign"
)

// Item sizes as DynamoDB counts them (attribute names and values): a
// customer item with its key, index and audit attributes, and the e-mail
// claim item; a list page is read from ListShards index partitions.
const (
	CustomerItemBytes = 600
	ClaimItemBytes    = 160
	ListPageItems     = 20
	listIndexes       = 2 // the customer item is projected into the list and status indexes
)

// Mix is the share of each operation. The seed states no mix; this is an
// assumption: a read-heavy API, 85% reads.
var Mix = map[string]float64{"get": 0.70, "list": 0.15, "create": 0.08, "update": 0.06, "delete": 0.01}

// CustomersOperations is the unit model of each operation, from the store's
// writes (internal/customers/store), at the handler durations given in
// milliseconds by operation name.
func CustomersOperations(millis map[string]float64) ([]Operation, error) {
	customerTxnWrite := WriteUnits(CustomerItemBytes, true)
	claimTxnWrite := WriteUnits(ClaimItemBytes, true)
	indexWrites := listIndexes * WriteUnits(CustomerItemBytes, false)
	consistentGet := ReadUnits(CustomerItemBytes, true)
	// Each shard is first asked for store.ShardLimit items of a page; the
	// second query of about 1.5% of pages is not counted.
	shardQuery := ReadUnits(float64(store.ShardLimit(ListPageItems))*CustomerItemBytes, false)
	ops := []Operation{
		// GetItem, strongly consistent.
		{Name: "get", ReadUnits: consistentGet, ItemsTouched: 1},
		// One eventually consistent query per list shard.
		{Name: "list", ReadUnits: td.ListShards * shardQuery, ItemsTouched: td.ListShards * ListPageItems},
		// A transaction: put the customer, claim its e-mail; then both indexes.
		{Name: "create", WriteUnits: customerTxnWrite + claimTxnWrite + indexWrites, ItemsTouched: 2 + listIndexes, Events: 1},
		// One conditional update keeping the e-mail, returning the new item
		// (no read); both indexes rewrite the item. About one update in
		// five changes the status, which adds a status-changed event.
		{Name: "update", WriteUnits: WriteUnits(CustomerItemBytes, false) + indexWrites, ItemsTouched: 1 + listIndexes, Events: 1.2},
		// Read, then a transaction deleting the customer and its claim;
		// both index entries go.
		{Name: "delete", ReadUnits: consistentGet, WriteUnits: customerTxnWrite + claimTxnWrite + indexWrites, ItemsTouched: 3 + listIndexes, Events: 1},
	}
	for i := range ops {
		ms, ok := millis[ops[i].Name]
		if !ok {
			return nil, fmt.Errorf("cost: no duration for %s", ops[i].Name)
		}
		ops[i].LambdaMillis, ops[i].Share = ms, Mix[ops[i].Name]
	}
	return ops, nil
}

// CustomersEnvironment counts what an environment pays for by the month
// from its synthesized templates (snapshots named Customers-<env>-*.json in
// dir) and its configuration.
func CustomersEnvironment(dir, name string) (Environment, error) {
	cfg, err := config.Lookup(name)
	if err != nil {
		return Environment{}, err
	}
	env := Environment{Name: name, MemoryMB: cfg.Functions.MemoryMB}
	files, err := filepath.Glob(filepath.Join(dir, "Customers-"+name+"-*.json"))
	if err != nil {
		return env, err
	}
	// X-Ray's default rule, unless the templates define one (one at most).
	env.TraceReservoirPerSecond, env.TraceRate = 1, 0.05
	rules := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return env, err
		}
		var t struct {
			Resources map[string]struct {
				Type       string
				Properties struct {
					MetricName string
					Metrics    []struct{ MetricStat any }
					Rules      []any
					Targets    []any
					// AWS::DynamoDB::Table
					ContributorInsightsSpecification *insightsSpec
					GlobalSecondaryIndexes           []struct {
						ContributorInsightsSpecification *insightsSpec
					}
					// AWS::ApiGateway::Stage
					TracingEnabled   bool
					AccessLogSetting struct{ Format string }
					// AWS::XRay::SamplingRule
					SamplingRule *struct {
						ReservoirSize float64
						FixedRate     float64
					}
				}
			}
		}
		if json.Unmarshal(b, &t) != nil || t.Resources == nil {
			continue // not a template (the dashboard body)
		}
		for _, r := range t.Resources {
			p := r.Properties
			switch r.Type {
			case "AWS::CloudWatch::Alarm":
				if p.MetricName != "" {
					env.AlarmMetrics++
				}
				for _, m := range p.Metrics {
					if m.MetricStat != nil {
						env.AlarmMetrics++
					}
				}
			case "AWS::CloudWatch::CompositeAlarm":
				env.CompositeAlarms++
			case "AWS::CloudWatch::Dashboard":
				env.Dashboards++
			case "AWS::KMS::Key":
				env.KMSKeys++
			case "AWS::WAFv2::WebACL":
				env.WAFRules += len(p.Rules)
			case "AWS::Events::Rule":
				// Every event is counted at every target: an upper bound.
				env.EventTargets += float64(len(p.Targets))
			case "AWS::DynamoDB::Table":
				modes := []*insightsSpec{p.ContributorInsightsSpecification}
				for _, ix := range p.GlobalSecondaryIndexes {
					modes = append(modes, ix.ContributorInsightsSpecification)
				}
				for _, m := range modes {
					mode := m.mode()
					if env.ContributorInsights != "" && mode != env.ContributorInsights {
						return env, fmt.Errorf("cost: %s: the table and its indexes run Contributor Insights in different modes, which this model does not count", f)
					}
					env.ContributorInsights = mode
				}
			case "AWS::ApiGateway::Stage":
				env.Tracing = p.TracingEnabled
				if p.AccessLogSetting.Format != "" {
					if env.AccessLogBytes, err = AccessLogBytes(p.AccessLogSetting.Format); err != nil {
						return env, fmt.Errorf("cost: %s: %w", f, err)
					}
				}
			case "AWS::XRay::SamplingRule":
				if p.SamplingRule == nil {
					return env, fmt.Errorf("cost: %s: a sampling rule without SamplingRule", f)
				}
				rules++
				env.TraceReservoirPerSecond, env.TraceRate = p.SamplingRule.ReservoirSize, p.SamplingRule.FixedRate
			}
		}
	}
	if rules > 1 {
		return env, fmt.Errorf("cost: %d X-Ray sampling rules: which applies is not modeled", rules)
	}
	return env, nil
}

// insightsSpec is a ContributorInsightsSpecification; Mode defaults to
// ACCESSED_AND_THROTTLED_KEYS (the CloudFormation property reference).
type insightsSpec struct {
	Enabled bool
	Mode    string
}

func (s *insightsSpec) mode() string {
	switch {
	case s == nil || !s.Enabled:
		return ""
	case s.Mode == "":
		return "ACCESSED_AND_THROTTLED_KEYS"
	}
	return s.Mode
}

// accessLogValues are the bytes each $context variable of an access log
// format takes in a typical request, from the formats API Gateway documents
// for them (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#context-variable-reference);
// a variable that is usually empty for a successful request logs "-".
var accessLogValues = map[string]int{
	"$context.requestId":                   36,  // a UUID
	"$context.extendedRequestId":           16,  // e.g. "Y0uJzFxbjoEFm7Q="
	"$context.xrayTraceId":                 35,  // "1-" + 8 hex + "-" + 24 hex
	"$context.requestTime":                 26,  // "29/Nov/2026:10:05:00 +0000"
	"$context.identity.sourceIp":           13,  // an IPv4 address
	"$context.identity.userAgent":          110, // a desktop browser's User-Agent
	"$context.identity.apiKeyId":           10,
	"$context.authorizer.claims.client_id": 26,
	"$context.authorizer.claims.sub":       36, // a UUID
	"$context.httpMethod":                  4,
	"$context.resourcePath":                15, // "/customers/{id}"
	"$context.path":                        47, // "/prod/customers/CUST-" + a ULID
	"$context.status":                      3,
	"$context.protocol":                    8, // "HTTP/1.1"
	"$context.responseLength":              3,
	"$context.responseLatency":             2,
	"$context.integrationLatency":          2,
	"$context.integrationStatus":           3,
	"$context.error.responseType":          1,
	"$context.error.message":               1,
	"$context.authorizer.error":            1,
	"$context.waf.status":                  1,
	"$context.waf.error":                   1,
}

// logEventOverhead is what CloudWatch Logs counts for each log event on
// top of its message (the PutLogEvents batch size rule,
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html);
// counted here as ingested, an upper bound.
const logEventOverhead = 26

var contextVariable = regexp.MustCompile(`\$context\.[A-Za-z0-9_.]+`)

// AccessLogBytes is the size of one line of an access log format, each
// variable at its typical size (accessLogValues) plus the log event's
// overhead; an unknown variable is an error.
func AccessLogBytes(format string) (float64, error) {
	n := len(format) + logEventOverhead
	for _, v := range contextVariable.FindAllString(format, -1) {
		size, ok := accessLogValues[v]
		if !ok {
			return 0, fmt.Errorf("access log variable %s has no typical size in the cost model", v)
		}
		n += size - len(v)
	}
	return float64(n), nil
}
