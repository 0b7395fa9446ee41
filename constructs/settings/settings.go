// Package settings holds the settings of the constructs in constructs/ that
// are plain values: no CDK, no jsii. Each construct names them under its own
// package (restapi.Settings is API, restapi.Throttle is Throttle,
// monitoring.Thresholds is Thresholds, table.InsightsMode is InsightsMode,
// resourceapi's rollout strategies are Strategy, userpool's MFA modes are
// MFA), so code that must not link the CDK (a deployment's configuration,
// its preflight checks) speaks the constructs' vocabulary, in their units,
// and a stack passes the values on whole.
package settings

import (
	"net/mail"
	"slices"
	"time"
)

// Throttle is a token bucket (API Gateway's throttling): a steady rate of
// RateLimit requests per second and a bucket of BurstLimit requests.
type Throttle struct {
	RateLimit  float64
	BurstLimit int
}

// UsagePlan is a class of consumer with its own limits and API keys.
type UsagePlan struct {
	// Name identifies the plan, e.g. "standard". Required, unique.
	Name string
	// Throttle is the plan's limit per API key.
	Throttle Throttle
	// QuotaPerDay is how many requests a key may make per day (API
	// Gateway's usage plan quota, period DAY). Required: a positive number;
	// 0 would refuse every request, so restapi refuses it.
	QuotaPerDay int
	// APIKeys names the keys to create; API Gateway generates their values.
	// Each name is non-empty and in one plan only.
	APIKeys []string
	// ServerToServer marks consumers that call from few IP addresses (a
	// partner's servers), so that with WAF the per-IP rate rule must let one
	// address reach the plan's whole rate (see API.BlocksServerToServer).
	// Browser apps spread over many addresses. Default: false.
	ServerToServer bool
}

// CustomDomain serves the API on its own name with TLS 1.2 at least.
type CustomDomain struct {
	// Name is the fully qualified domain name; CertificateARN an ACM
	// certificate for it in the stack's region.
	Name, CertificateARN string
}

// TraceSampling is the X-Ray sampling of the stage's requests: the first
// ReservoirPerSecond requests of each second (across every API Gateway
// host), then Rate (0 to 1) of the rest. API Gateway makes the decision and
// the functions follow it.
type TraceSampling struct {
	ReservoirPerSecond int
	Rate               float64
}

// API is the front door's settings (restapi.Settings); composites take them
// once and pass them on whole.
type API struct {
	// StageName is the stage's name, the first segment of the invoke URL's
	// path: letters, digits, "-" and "_", at most 128 characters
	// ("AWS::ApiGateway::Stage", StageName). Default: "v1".
	StageName string
	// Throttle is the stage default for every method.
	Throttle Throttle
	// CORSOrigins may call the API from a browser; none disables CORS.
	CORSOrigins []string
	// CloudWatchRole creates the account-wide role API Gateway needs for
	// execution logs; leave it off where the account already has one.
	CloudWatchRole bool
	// WAF attaches a web ACL (AWS managed common, known-bad-inputs and IP
	// reputation rules, and a per-IP rate rule of WAFRateLimit requests per
	// 5 minutes) and logs its decisions.
	WAF          bool
	WAFRateLimit int
	// WebACLArn associates an existing regional web ACL instead (WAF must be
	// false).
	WebACLArn string
	// UsagePlans meter API keys; every method requires a key.
	UsagePlans []UsagePlan
	// CustomDomain, when set, is served with TLS 1.2 at least.
	CustomDomain *CustomDomain
	// TraceSampling, when set, is the X-Ray sampling rule of the stage (an
	// AWS::XRay::SamplingRule named after the API, at most 32 characters).
	// Default: X-Ray's default rule, 1 request a second, then 5%.
	TraceSampling *TraceSampling
	// ProblemTypeBase prefixes the type of every problem document the
	// gateway answers (RFC 9457 §3.1.1: an absolute URI that identifies
	// the problem type), e.g. "https://errors.example.com/"; set the
	// handlers' to the same (constructs/resourceapi does, through
	// envvars.ProblemTypeBase). It goes into the responses' VTL templates,
	// so it must not hold '"', '\', '$' or '#'. Default:
	// restapi.ProblemTypeBase.
	ProblemTypeBase string
}

// WAFRateWindow is the window of the web ACL's per-IP rate rule: AWS WAF's
// rate-based rule counts the requests of each IP address over 5 minutes by
// default (AWS WAF Developer Guide, "Rate-based rule statement").
const WAFRateWindow = 5 * time.Minute

// BlocksServerToServer reports whether, with WAF on, the per-IP rate rule
// blocks a ServerToServer plan's consumer before it reaches the plan's
// steady rate, and how many requests that consumer sends in WAFRateWindow
// at that rate.
func (s API) BlocksServerToServer(p UsagePlan) (blocked bool, perWindow float64) {
	perWindow = p.Throttle.RateLimit * WAFRateWindow.Seconds()
	return s.WAF && p.ServerToServer && float64(s.WAFRateLimit) < perWindow, perWindow
}

// Thresholds of the alarms (monitoring.Thresholds); zero fields take
// monitoring.Defaults.
type Thresholds struct {
	// API5xxPercent and API4xxPercent are the stage's error rates over 5
	// minutes, in percent of requests.
	API5xxPercent, API4xxPercent float64
	// APILatencyP99 is the stage's p99 latency over 5 minutes.
	APILatencyP99 time.Duration
	// MinRequestsPer5Min, when positive, alarms on a drop in traffic
	// below it for 15 minutes.
	MinRequestsPer5Min int
	// DurationPercentOfTimeout alarms when a function's p99 duration
	// reaches this share of its timeout (1-100).
	DurationPercentOfTimeout int
	// ConcurrencyLimit is the account's (or the reserved) concurrency
	// limit; ConcurrencyPercent of it alarms (1-100).
	ConcurrencyLimit, ConcurrencyPercent int
	// IteratorAge is the stream publisher's largest allowed lag; QueueAge
	// the oldest message a forwarding queue may hold.
	IteratorAge, QueueAge time.Duration
	// WAFBlockedPer5Min is how many requests the web ACL may block in 5
	// minutes before it alarms (an attack, or a rule blocking real users).
	WAFBlockedPer5Min int
	// FunctionErrorsPer5Min is how many failed invocations of one function
	// in 5 minutes make its Errors alarm fire (and, through it, page and
	// roll a deployment back). Default: 1, every failure.
	FunctionErrorsPer5Min int
}

// InsightsMode is what CloudWatch Contributor Insights records on a table
// and its indexes: the CloudFormation ContributorInsightsSpecification Mode
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-dynamodb-table-contributorinsightsspecification.html).
type InsightsMode string

const (
	// InsightsAccessedAndThrottledKeys records every read and write: the
	// most accessed and the most throttled keys. Contributor Insights is
	// billed per event, and every item read or written is one, on the table
	// and on each index it touches.
	InsightsAccessedAndThrottledKeys InsightsMode = "ACCESSED_AND_THROTTLED_KEYS"
	// InsightsThrottledKeys records only throttled requests: the most
	// throttled keys, which is what a throttle alarm's diagnosis needs, at
	// no cost while nothing is throttled.
	InsightsThrottledKeys InsightsMode = "THROTTLED_KEYS"
)

// InsightsModes are the modes CloudFormation accepts.
var InsightsModes = []InsightsMode{InsightsAccessedAndThrottledKeys, InsightsThrottledKeys}

// Strategy is how a deploy shifts a function's traffic to its new version
// (resourceapi.Rollout); CodeDeploy rolls back on the function's alarms and
// the API's 5XX rate whichever it is.
type Strategy string

// Rollout strategies: how much traffic a new version takes, and when.
const (
	// Canary sends 10% of requests to the new version for 5 minutes, then
	// all of them. The default (also for "").
	Canary Strategy = "canary"
	// Linear adds 10% of the requests every minute.
	Linear Strategy = "linear"
	// AllAtOnce shifts everything at once, still watched by the alarms.
	AllAtOnce Strategy = "all-at-once"
)

// Strategies are the rollout strategies, the default first.
var Strategies = []Strategy{Canary, Linear, AllAtOnce}

// MFA is a user pool's multi-factor authentication mode (userpool.Props),
// as Cognito names it (MfaConfiguration).
type MFA string

// MFA modes.
const (
	MFAOff      MFA = "OFF"
	MFAOptional MFA = "OPTIONAL"
	MFARequired MFA = "REQUIRED"
)

// MFAModes are the modes Cognito accepts.
var MFAModes = []MFA{MFAOff, MFAOptional, MFARequired}

// RetentionDays are the retention periods CloudWatch Logs accepts, in days
// (PutRetentionPolicy, retentionInDays; AWS::Logs::LogGroup RetentionInDays).
var RetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// ValidRetention reports whether days is one of RetentionDays.
func ValidRetention(days int) bool { return slices.Contains(RetentionDays, days) }

// PlainAddress reports whether addr is an e-mail address without a display
// name, comments or spaces: net/mail parses it to itself (RFC 5322
// addr-spec). Alarm and notification e-mails must be plain, since each
// subscription is named after its address.
func PlainAddress(addr string) bool {
	a, err := mail.ParseAddress(addr)
	return err == nil && a.Address == addr
}
