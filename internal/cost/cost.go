// Package cost estimates what one environment of the customers API costs a
// month at a given load, line by line, with every input shown: the prices
// (constants below, with their source), the load (requests, operation
// mix, users) and what the service does per operation (read and write
// units from the item sizes and the writes each operation makes, events,
// Lambda time at the configured memory).
package cost

import (
	"fmt"
	"math"
)

// Prices in USD, eu-west-1 (Ireland) list prices as published on each
// service's pricing page (aws.amazon.com/<service>/pricing), as known on
// 2026-11-26. This machine has no internet access: they were not re-read
// from the live pages that day. Check them before relying on a total.
const (
	APIGatewayRESTPerMillion    = 3.50         // first 333 million requests a month
	LambdaRequestsPerMillion    = 0.20         //
	LambdaArmPerGBSecond        = 0.0000133334 // arm64
	DynamoDBWritePerMillionWRU  = 0.7063       // on demand
	DynamoDBReadPerMillionRRU   = 0.1413       // on demand
	DynamoDBContributorPer100k  = 0.02         // Contributor Insights, per 100,000 events (items read or written)
	SNSPublishPerMillion        = 0.50         // 64 KB chunks
	SQSPerMillionRequests       = 0.40         // standard queues
	EventBridgeCustomPerMillion = 1.00         // custom events put
	CloudWatchAlarmPerMetric    = 0.10         // standard resolution, per metric in the alarm, a month
	CloudWatchCompositeAlarm    = 0.50         // a month
	CloudWatchDashboard         = 3.00         // a month
	CloudWatchLogsPerGB         = 0.57         // ingestion
	WAFWebACL                   = 5.00         // a month
	WAFRule                     = 1.00         // per rule or managed rule group, a month
	WAFPerMillionRequests       = 0.60         //
	KMSKeyPerMonth              = 1.00         // customer managed key
	CognitoPlusPerMAU           = 0.02         // Plus feature plan, per monthly active user
	XRayPerMillionTraces        = 5.00         // traces recorded
)

// Operation is what one API operation costs in units, per request.
type Operation struct {
	Name string
	// Share of all requests (the mix sums to 1).
	Share float64
	// LambdaMillis is the handler's duration (measured: say where).
	LambdaMillis float64
	// ReadUnits and WriteUnits are DynamoDB request units.
	ReadUnits, WriteUnits float64
	// ItemsTouched counts Contributor Insights events (items read or
	// written, on the table and its indexes).
	ItemsTouched float64
	// Events is how many business events the operation publishes.
	Events float64
}

// Environment is what does not depend on the request count.
type Environment struct {
	Name     string
	MemoryMB int
	// AlarmMetrics is the number of metrics in metric alarms;
	// CompositeAlarms and Dashboards are counted from the templates.
	AlarmMetrics, CompositeAlarms, Dashboards int
	KMSKeys                                   int
	// WAFRules is 0 without WAF.
	WAFRules int
	// EventTargets is how many rule targets receive an average event.
	EventTargets float64
	// ContributorInsights is the DynamoDB Contributor Insights mode of the
	// table and its indexes ("" when off). ACCESSED_AND_THROTTLED_KEYS
	// bills an event per item read or written; THROTTLED_KEYS one per
	// throttled request, and this model assumes a month without throttling.
	ContributorInsights string
	// Tracing is X-Ray tracing on the API stage. Traces are sampled by the
	// rule that applies: TraceReservoirPerSecond requests a second, then
	// TraceRate of the rest (X-Ray's default rule: 1 a second and 5%,
	// https://docs.aws.amazon.com/xray/latest/devguide/xray-console-sampling.html).
	Tracing                            bool
	TraceReservoirPerSecond, TraceRate float64
	// AccessLogBytes is the size of one access log line (AccessLogBytes).
	AccessLogBytes float64
}

// Load is the traffic of a month.
type Load struct {
	Requests float64
	// ActiveUsers are the monthly active users of the user pool.
	ActiveUsers float64
	// LogBytesPerRequest are the log bytes one request's function ingests
	// (its log line and metrics; the access log line is the environment's
	// AccessLogBytes); LogBytesPerEvent those of the event functions per
	// event.
	LogBytesPerRequest, LogBytesPerEvent float64
}

// secondsPerMonth is 30 days, the month of every estimate.
const secondsPerMonth = 30 * 24 * 3600

// Traces is how many of requests spread evenly over a month X-Ray records
// under env's sampling: the reservoir first, then the rate of the rest.
func Traces(env Environment, requests float64) float64 {
	if !env.Tracing {
		return 0
	}
	reservoir := min(requests, env.TraceReservoirPerSecond*secondsPerMonth)
	return reservoir + env.TraceRate*(requests-reservoir)
}

// Line is one priced item of the estimate.
type Line struct {
	Item, Quantity string
	USD            float64
}

// Estimate prices a month of load on env with the operation mix ops.
func Estimate(env Environment, ops []Operation, load Load) ([]Line, error) {
	share := 0.0
	var lambdaGBs, reads, writes, items, events float64
	for _, op := range ops {
		share += op.Share
		n := load.Requests * op.Share
		lambdaGBs += n * op.LambdaMillis / 1000 * float64(env.MemoryMB) / 1024
		reads += n * op.ReadUnits
		writes += n * op.WriteUnits
		items += n * op.ItemsTouched
		events += n * op.Events
	}
	if math.Abs(share-1) > 1e-9 {
		return nil, fmt.Errorf("cost: the operation mix sums to %.4f, not 1", share)
	}
	// Each event: the publisher's and the forwarder's invocation (a batch
	// of one at worst), an SNS publish, an SQS send, receive and delete on
	// the forward queue, an EventBridge put, an SQS send per target.
	eventInvocations := 2 * events
	eventGBs := eventInvocations * 0.05 * float64(env.MemoryMB) / 1024 // 50 ms each, an estimate
	sqs := events * (3 + env.EventTargets)
	logGB := (load.Requests*(load.LogBytesPerRequest+env.AccessLogBytes) + events*load.LogBytesPerEvent) / 1e9
	insightEvents, insights := 0.0, "off"
	switch env.ContributorInsights {
	case "ACCESSED_AND_THROTTLED_KEYS":
		insightEvents, insights = items, "every item read or written"
	case "THROTTLED_KEYS":
		insights = "throttled requests only; none assumed"
	case "":
	default:
		return nil, fmt.Errorf("cost: Contributor Insights mode %q is not modeled", env.ContributorInsights)
	}
	traces := Traces(env, load.Requests)
	m := 1e6
	lines := []Line{
		{"API Gateway REST requests", fmt.Sprintf("%.0f requests", load.Requests), load.Requests / m * APIGatewayRESTPerMillion},
		{"Lambda requests", fmt.Sprintf("%.0f invocations", load.Requests+eventInvocations), (load.Requests + eventInvocations) / m * LambdaRequestsPerMillion},
		{"Lambda compute (arm64)", fmt.Sprintf("%.0f GB-s at %d MB", lambdaGBs+eventGBs, env.MemoryMB), (lambdaGBs + eventGBs) * LambdaArmPerGBSecond},
		{"DynamoDB writes", fmt.Sprintf("%.0f WRU", writes), writes / m * DynamoDBWritePerMillionWRU},
		{"DynamoDB reads", fmt.Sprintf("%.0f RRU", reads), reads / m * DynamoDBReadPerMillionRRU},
		{"DynamoDB Contributor Insights", fmt.Sprintf("%.0f events (%s)", insightEvents, insights), insightEvents / 1e5 * DynamoDBContributorPer100k},
		{"SNS publishes", fmt.Sprintf("%.0f events", events), events / m * SNSPublishPerMillion},
		{"SQS requests", fmt.Sprintf("%.0f requests", sqs), sqs / m * SQSPerMillionRequests},
		{"EventBridge custom events", fmt.Sprintf("%.0f events", events), events / m * EventBridgeCustomPerMillion},
		{"CloudWatch alarms", fmt.Sprintf("%d metrics, %d composite", env.AlarmMetrics, env.CompositeAlarms),
			float64(env.AlarmMetrics)*CloudWatchAlarmPerMetric + float64(env.CompositeAlarms)*CloudWatchCompositeAlarm},
		{"CloudWatch dashboards", fmt.Sprintf("%d", env.Dashboards), float64(env.Dashboards) * CloudWatchDashboard},
		{"CloudWatch Logs ingestion", fmt.Sprintf("%.2f GB", logGB), logGB * CloudWatchLogsPerGB},
		{"X-Ray traces", fmt.Sprintf("%.0f traces", traces), traces / m * XRayPerMillionTraces},
		{"KMS keys", fmt.Sprintf("%d", env.KMSKeys), float64(env.KMSKeys) * KMSKeyPerMonth},
		{"Cognito Plus", fmt.Sprintf("%.0f MAU", load.ActiveUsers), load.ActiveUsers * CognitoPlusPerMAU},
	}
	if env.WAFRules > 0 {
		lines = append(lines, Line{"WAF", fmt.Sprintf("1 web ACL, %d rules, %.0f requests", env.WAFRules, load.Requests),
			WAFWebACL + float64(env.WAFRules)*WAFRule + load.Requests/m*WAFPerMillionRequests})
	}
	return lines, nil
}

// Buys says what each line of an estimate pays for, by item.
var Buys = map[string]string{
	"API Gateway REST requests":     "the front door: authorization, validation, throttling, usage plans",
	"WAF":                           "per-IP rate limits and managed rule groups in front of the API",
	"Lambda requests":               "an invocation per request, and the event publisher's and forwarder's per event",
	"Lambda compute (arm64)":        "the handlers' time at the configured memory",
	"DynamoDB writes":               "the writes of creates, updates and deletes, with their two index entries",
	"DynamoDB reads":                "gets, lists (8 shard queries), lookups",
	"DynamoDB Contributor Insights": "the table's and indexes' hot keys (accessed, or throttled only)",
	"SNS publishes":                 "one publish per business event",
	"SQS requests":                  "the forward queue's send, receive and delete, and each rule target's send",
	"EventBridge custom events":     "one event per business event on the bus",
	"CloudWatch Logs ingestion":     "the access log line and the handler's log line and metrics per request; the event functions' lines",
	"X-Ray traces":                  "sampled end-to-end traces",
	"CloudWatch alarms":             "the alarms (fixed)",
	"CloudWatch dashboards":         "the dashboard (fixed)",
	"KMS keys":                      "customer managed keys (fixed)",
	"Cognito Plus":                  "monthly active users (by users, not requests)",
}

// Total sums the lines.
func Total(lines []Line) float64 {
	t := 0.0
	for _, l := range lines {
		t += l.USD
	}
	return t
}

// Units of DynamoDB work: a write unit per 1 KB written, doubled inside a
// transaction; a strongly consistent read unit per 4 KB, half for an
// eventually consistent one.
func WriteUnits(itemBytes float64, transactional bool) float64 {
	u := math.Ceil(itemBytes / 1024)
	if transactional {
		u *= 2
	}
	return u
}

// ReadUnits of reading bytes in one request.
func ReadUnits(bytes float64, consistent bool) float64 {
	u := math.Ceil(bytes / 4096)
	if !consistent {
		u /= 2
	}
	return u
}
