// Package config holds the typed, validated settings of each deployment
// environment (dev, staging, prod). Only app.go chooses which environments
// to build; everything else receives an Environment value.
package config

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Environment is the complete configuration of one deployment environment.
type Environment struct {
	// Name is the environment's name; it is part of every stack name.
	Name string
	// Account is the 12-digit AWS account the stacks deploy to. Synth never
	// contacts it, so placeholder accounts work offline.
	Account string
	// Region is the AWS region, for example "eu-west-1".
	Region string
	// LogRetentionDays is how long Lambda and API logs are kept; it must be
	// one of the values CloudWatch Logs accepts.
	LogRetentionDays int
	// Lambda holds the defaults for every handler function.
	Lambda Lambda
	// Throttling is the API stage's default rate and burst limit.
	Throttling Throttling
	// AlarmEmails receive alarm notifications. May be empty.
	AlarmEmails []string
	// WAF attaches a regional web ACL to the API stage when true.
	WAF bool
	// Retain protects stateful resources (table, user pool, keys, bus and
	// archive, queues, logs) from deletion and keeps them when their stack is
	// deleted. Only dev may turn it off: no other environment destroys data.
	Retain bool
	// CORSOrigins are the browser origins allowed to call the API, as
	// https URLs (http is accepted only for localhost). "*" is refused
	// in prod.
	CORSOrigins []string
	// WriteThrottling, when set, is a lower limit for POST, PUT and DELETE
	// than the stage default.
	WriteThrottling *Throttling
	// WAFRateLimit is how many requests one IP address may send in any
	// 5 minutes before the web ACL blocks it (when WAF is on).
	WAFRateLimit int
	// APIGatewayCloudWatchRole creates the account-wide role that lets API
	// Gateway write execution logs. Leave it off in accounts that already
	// have one (it is one setting per account and region).
	APIGatewayCloudWatchRole bool
	// Auth configures the Cognito user pool that authenticates callers.
	Auth Auth
	// UsagePlans meter the API keys of each kind of consumer. At least one.
	UsagePlans []UsagePlan
	// CustomDomain, when set, serves the API on its own name with TLS 1.2.
	CustomDomain *CustomDomain
	// Events configures the business event fan-out.
	Events Events
	// Alarms holds the alarm thresholds.
	Alarms Alarms
	// TraceSampling, when set, is the X-Ray sampling of the API's requests:
	// ReservoirPerSecond a second, then Rate (0-1) of the rest. nil keeps
	// X-Ray's default rule (1 a second, then 5%).
	TraceSampling *TraceSampling
	// ContributorInsights is what DynamoDB Contributor Insights records on
	// the table and its indexes: "THROTTLED_KEYS" (only throttled requests:
	// the hot keys a throttle alarm sends operators to, free while nothing
	// throttles) or "ACCESSED_AND_THROTTLED_KEYS" (every item read or
	// written, each a billed event: about $0.02 per 4,000 requests of this
	// API). Required.
	ContributorInsights string
}

// Alarms are the thresholds of the environment's alarms; AlarmEmails
// receive them.
type Alarms struct {
	// API5xxPercent and API4xxPercent are error rates over 5 minutes.
	API5xxPercent, API4xxPercent float64
	// APILatencyP99Ms is the p99 latency of the stage over 5 minutes.
	APILatencyP99Ms int
	// MinRequestsPer5Min alarms when traffic drops below it for 15
	// minutes; 0 where the environment expects no steady traffic.
	MinRequestsPer5Min int
	// DurationPercentOfTimeout alarms when a function's p99 duration
	// reaches this share of its timeout (1-100).
	DurationPercentOfTimeout int
	// ConcurrencyLimit is the account's (or the reserved) concurrency limit;
	// ConcurrencyPercent of it alarms (1-100).
	ConcurrencyLimit, ConcurrencyPercent int
	// IteratorAgeSeconds is the stream publisher's largest allowed lag.
	IteratorAgeSeconds int
	// QueueAgeSeconds is the oldest message the forwarding queue may hold.
	QueueAgeSeconds int
	// WAFBlockedPer5Min is how many requests the web ACL may block in 5
	// minutes before it alarms; required when WAF is on.
	WAFBlockedPer5Min int
}

// TraceSampling is an X-Ray sampling rule.
type TraceSampling struct {
	ReservoirPerSecond int
	Rate               float64
}

// Events configures the event bus and notifications.
type Events struct {
	// ArchiveRetentionDays is how long the bus archive keeps events for
	// replay (1-3650).
	ArchiveRetentionDays int
	// NotificationEmails receive an e-mail for the events of
	// NotificationTypes. May be empty.
	NotificationEmails []string
	// NotificationTypes are event types, e.g. "customer.created".
	NotificationTypes []string
}

// Auth configures authentication.
type Auth struct {
	// ExistingUserPoolID imports a central user pool instead of creating
	// one. It must have a resource server "customers" with the scopes
	// "read" and "write".
	ExistingUserPoolID string
	// EmailFrom sends the pool's e-mail through Amazon SES from this
	// address (verified in SES in Region). Empty uses Cognito's default
	// sender, which sends at most 50 e-mails a day: refused in prod.
	EmailFrom string
	// DomainPrefix overrides the Cognito hosted domain prefix of the OAuth
	// endpoints (created pools only), unique within the region. Default:
	// "customers-<Name>-<Account>" (see Environment.DomainPrefix). Cognito
	// refuses a second domain while a pool has one, so a change takes two
	// deploys: WithoutDomain first, then the new prefix (README, "Changing
	// the Cognito domain prefix").
	DomainPrefix string
	// WithoutDomain removes the pool's hosted domain: the first of the two
	// deploys that change DomainPrefix. No token can be issued until the
	// second. Default: false (the pool has its domain).
	WithoutDomain bool
	// MFA is "OFF", "OPTIONAL" or "REQUIRED".
	MFA string
	// AccessTokenMinutes is the access and ID token lifetime (5-1440).
	AccessTokenMinutes int
	// RefreshTokenDays is the refresh token lifetime (1-3650).
	RefreshTokenDays int
	// CallbackURLs and LogoutURLs are the interactive client's redirect
	// targets (https, or http on localhost outside prod).
	CallbackURLs []string
	LogoutURLs   []string
}

// UsagePlan is a class of API consumer with its own limits.
type UsagePlan struct {
	// Name identifies the plan, e.g. "standard".
	Name string
	// Throttling is the plan's steady rate and burst per API key.
	Throttling Throttling
	// QuotaPerDay is how many requests a key may make per day.
	QuotaPerDay int
	// APIKeys names the keys to create in this plan; their values are
	// generated by API Gateway and never appear in a template.
	APIKeys []string
	// ServerToServer marks consumers that call from few IP addresses (a
	// partner's servers): the WAF per-IP limit must then allow the plan's
	// whole rate from one address. Browser apps spread over many.
	ServerToServer bool
}

// CustomDomain is a domain name for the API.
type CustomDomain struct {
	// Name is the fully qualified domain name.
	Name string
	// CertificateARN is an ACM certificate for Name in the stack's region.
	CertificateARN string
}

// Lambda holds per-function defaults.
type Lambda struct {
	// MemoryMB is the function memory, 128 to 10240 MB.
	MemoryMB int
	// TimeoutSeconds is the function timeout, 1 to 29 seconds for API
	// handlers (API Gateway's integration limit).
	TimeoutSeconds int
	// Rollout is how a deploy shifts traffic to a new version: "canary"
	// (10% for 5 minutes), "linear" (10% more every minute) or
	// "all-at-once"; CodeDeploy rolls back on the function's alarms and the
	// API's 5XX rate either way. Empty is canary.
	Rollout string
	// ProvisionedConcurrency keeps that many environments of every
	// function's live version initialized (billed while idle); 0 is off.
	ProvisionedConcurrency int
}

// Throttling is a token-bucket limit.
type Throttling struct {
	// RateLimit is the steady-state requests per second.
	RateLimit float64
	// BurstLimit is the bucket size.
	BurstLimit int
}

// Names lists the known environments in deployment order.
func Names() []string { return []string{"dev", "staging", "prod"} }

// Lookup returns the validated configuration of the named environment.
func Lookup(name string) (Environment, error) {
	env, ok := environments[name]
	if !ok {
		return Environment{}, fmt.Errorf("config: unknown environment %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	if err := env.Validate(); err != nil {
		return Environment{}, err
	}
	return env, nil
}

// Select returns the validated environments for a selection: one name, or
// every environment when name is empty.
func Select(name string) ([]Environment, error) {
	names := Names()
	if name != "" {
		names = []string{name}
	}
	var (
		envs []Environment
		errs []error
	)
	for _, n := range names {
		env, err := Lookup(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		envs = append(envs, env)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return envs, nil
}

// FieldError reports one invalid configuration value.
type FieldError struct {
	Env, Field, Problem string
}

// Error names the environment, the field and the problem.
func (e *FieldError) Error() string {
	return fmt.Sprintf("config: environment %q: %s: %s", e.Env, e.Field, e.Problem)
}

// retentionDays are the retention periods CloudWatch Logs accepts.
var retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

var (
	accountPattern      = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern       = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`)
	namePattern         = regexp.MustCompile(`^[a-z][a-z0-9-]{1,31}$`)
	userPoolIDPattern   = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]_[0-9A-Za-z]+$`)
	reservedInPrefix    = regexp.MustCompile(`aws|amazon|cognito`)
	domainPrefixPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	domainPattern       = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	eventTypePattern    = regexp.MustCompile(`^[a-z]+\.[a-z-]+$`)
	acmARNPattern       = regexp.MustCompile(`^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$`)
)

// Validate checks every field and returns all problems at once, each naming
// the environment and the field.
// StackName is the name of one of the environment's stacks, e.g.
// "Customers-dev-Data" for part "Data".
func (e Environment) StackName(part string) string {
	return fmt.Sprintf("Customers-%s-%s", e.Name, part)
}

// The SSM parameters (under ParameterName) in which a stack publishes what
// CloudFormation generated for the Api stack to read.
const (
	StreamARNParameter   = "table/stream-arn"
	UserPoolARNParameter = "user-pool/arn"
)

// ParameterName is the full SSM name of one of the environment's values,
// e.g. "/customers/dev/user-pool/arn".
func (e Environment) ParameterName(name string) string {
	return fmt.Sprintf("/customers/%s/%s", e.Name, name)
}

// DomainPrefix is the environment's Cognito domain prefix:
// Auth.DomainPrefix when set, otherwise "customers-<Name>-<Account>", which
// is unique within a region as Cognito requires, and follows the account
// when the placeholder is replaced.
func (e Environment) DomainPrefix() string {
	if e.Auth.DomainPrefix != "" {
		return e.Auth.DomainPrefix
	}
	return fmt.Sprintf("customers-%s-%s", e.Name, e.Account)
}

func (e Environment) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Env: e.Name, Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if !namePattern.MatchString(e.Name) {
		bad("Name", "%q must be 2-32 lower-case letters, digits or hyphens, starting with a letter", e.Name)
	}
	if !accountPattern.MatchString(e.Account) {
		bad("Account", "%q is not a 12-digit AWS account id", e.Account)
	}
	if !regionPattern.MatchString(e.Region) {
		bad("Region", "%q is not an AWS region name", e.Region)
	}
	if !slices.Contains(retentionDays, e.LogRetentionDays) {
		bad("LogRetentionDays", "%d is not a CloudWatch Logs retention period (one of %v)", e.LogRetentionDays, retentionDays)
	}
	if m := e.Lambda.MemoryMB; m < 128 || m > 10240 {
		bad("Lambda.MemoryMB", "%d is outside 128-10240", m)
	}
	if t := e.Lambda.TimeoutSeconds; t < 1 || t > 29 {
		bad("Lambda.TimeoutSeconds", "%d is outside 1-29 (API Gateway's integration timeout)", t)
	}
	switch e.Lambda.Rollout {
	case "", "canary", "linear", "all-at-once":
	default:
		bad("Lambda.Rollout", "%q must be canary, linear or all-at-once", e.Lambda.Rollout)
	}
	if ts := e.TraceSampling; ts != nil && (ts.ReservoirPerSecond < 0 || ts.Rate < 0 || ts.Rate > 1) {
		bad("TraceSampling", "reservoir %d must be 0 or more and rate %g from 0 to 1", ts.ReservoirPerSecond, ts.Rate)
	}
	switch e.ContributorInsights {
	case "THROTTLED_KEYS", "ACCESSED_AND_THROTTLED_KEYS":
	default:
		bad("ContributorInsights", "%q must be THROTTLED_KEYS or ACCESSED_AND_THROTTLED_KEYS", e.ContributorInsights)
	}
	if e.Lambda.ProvisionedConcurrency < 0 {
		bad("Lambda.ProvisionedConcurrency", "%d is negative", e.Lambda.ProvisionedConcurrency)
	}
	if r := e.Throttling.RateLimit; r <= 0 || r > 10000 {
		bad("Throttling.RateLimit", "%g is outside (0, 10000] requests per second", r)
	}
	if b := e.Throttling.BurstLimit; b < 1 || b > 5000 {
		bad("Throttling.BurstLimit", "%d is outside 1-5000", b)
	}
	for i, addr := range e.AlarmEmails {
		if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
			bad(fmt.Sprintf("AlarmEmails[%d]", i), "%q is not a plain e-mail address", addr)
		}
	}
	if t := e.WriteThrottling; t != nil && (t.RateLimit <= 0 || t.RateLimit > e.Throttling.RateLimit || t.BurstLimit < 1 || t.BurstLimit > e.Throttling.BurstLimit) {
		bad("WriteThrottling", "must be positive and at most the stage's Throttling")
	}
	if e.WAF && (e.WAFRateLimit < 10 || e.WAFRateLimit > 2_000_000_000) {
		bad("WAFRateLimit", "%d is outside 10-2000000000 requests per 5 minutes", e.WAFRateLimit)
	}
	e.Auth.validate(e.Name == "prod", bad)
	// Cognito, "Using the Amazon Cognito prefix domain": lower-case letters,
	// numbers and hyphens, no "aws", "amazon" or "cognito".
	if prefix := e.DomainPrefix(); e.Auth.ExistingUserPoolID == "" &&
		(!domainPrefixPattern.MatchString(prefix) || reservedInPrefix.MatchString(prefix)) {
		bad("Auth.DomainPrefix", "%q must be 1-63 lower-case letters, digits or hyphens, without aws, amazon or cognito", prefix)
	}
	if len(e.UsagePlans) == 0 {
		bad("UsagePlans", "at least one plan is required: every method requires an API key")
	}
	seen := map[string]bool{}
	for i, p := range e.UsagePlans {
		field := fmt.Sprintf("UsagePlans[%d]", i)
		if !namePattern.MatchString(p.Name) || seen[p.Name] {
			bad(field+".Name", "%q must be a unique lower-case name", p.Name)
		}
		seen[p.Name] = true
		if p.Throttling.RateLimit <= 0 || p.Throttling.BurstLimit < 1 {
			bad(field+".Throttling", "rate and burst must be positive")
		}
		if p.QuotaPerDay < 1 {
			bad(field+".QuotaPerDay", "%d must be positive", p.QuotaPerDay)
		}
		for j, k := range p.APIKeys {
			if !namePattern.MatchString(k) {
				bad(fmt.Sprintf("%s.APIKeys[%d]", field, j), "%q must be a lower-case name", k)
			}
		}
		// A server-to-server consumer calls from few addresses: the per-IP
		// rule must let one address reach the plan's steady rate.
		if perIP := p.Throttling.RateLimit * 300; e.WAF && p.ServerToServer && float64(e.WAFRateLimit) < perIP {
			bad(field, "plan %s allows %.0f requests in 5 minutes, but WAFRateLimit blocks one IP address after %d; raise WAFRateLimit to at least %.0f",
				p.Name, perIP, e.WAFRateLimit, perIP)
		}
	}
	if d := e.Events.ArchiveRetentionDays; d < 1 || d > 3650 {
		bad("Events.ArchiveRetentionDays", "%d is outside 1-3650", d)
	}
	for i, addr := range e.Events.NotificationEmails {
		if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
			bad(fmt.Sprintf("Events.NotificationEmails[%d]", i), "%q is not a plain e-mail address", addr)
		}
	}
	if len(e.Events.NotificationEmails) > 0 && len(e.Events.NotificationTypes) == 0 {
		bad("Events.NotificationTypes", "name the event types to send to NotificationEmails")
	}
	for i, t := range e.Events.NotificationTypes {
		if !eventTypePattern.MatchString(t) {
			bad(fmt.Sprintf("Events.NotificationTypes[%d]", i), "%q is not an event type like customer.created", t)
		}
	}
	a := e.Alarms
	if a.API5xxPercent <= 0 || a.API5xxPercent > 100 || a.API4xxPercent <= 0 || a.API4xxPercent > 100 {
		bad("Alarms.API5xxPercent/API4xxPercent", "must be in (0, 100]")
	}
	if a.APILatencyP99Ms < 1 || a.APILatencyP99Ms > 29000 {
		bad("Alarms.APILatencyP99Ms", "%d is outside 1-29000", a.APILatencyP99Ms)
	}
	if a.MinRequestsPer5Min < 0 {
		bad("Alarms.MinRequestsPer5Min", "%d is negative", a.MinRequestsPer5Min)
	}
	for field, pct := range map[string]int{"Alarms.DurationPercentOfTimeout": a.DurationPercentOfTimeout, "Alarms.ConcurrencyPercent": a.ConcurrencyPercent} {
		if pct < 1 || pct > 100 {
			bad(field, "%d is outside 1-100", pct)
		}
	}
	if a.ConcurrencyLimit < 1 || a.IteratorAgeSeconds < 1 || a.QueueAgeSeconds < 1 {
		bad("Alarms", "ConcurrencyLimit, IteratorAgeSeconds and QueueAgeSeconds must be positive")
	}
	if !e.Retain && e.Name != "dev" {
		bad("Retain", "only dev may destroy data; set Retain in %s", e.Name)
	}
	if e.WAF && a.WAFBlockedPer5Min < 1 {
		bad("Alarms.WAFBlockedPer5Min", "%d must be positive when WAF is on", a.WAFBlockedPer5Min)
	}
	if d := e.CustomDomain; d != nil {
		if !domainPattern.MatchString(d.Name) {
			bad("CustomDomain.Name", "%q is not a domain name", d.Name)
		}
		if !acmARNPattern.MatchString(d.CertificateARN) {
			bad("CustomDomain.CertificateARN", "%q is not an ACM certificate ARN", d.CertificateARN)
		}
	}
	for i, origin := range e.CORSOrigins {
		if problem := checkOrigin(origin, e.Name == "prod"); problem != "" {
			bad(fmt.Sprintf("CORSOrigins[%d]", i), "%q %s", origin, problem)
		}
	}
	return errors.Join(errs...)
}

func (a Auth) validate(prod bool, bad func(field, format string, args ...any)) {
	if a.ExistingUserPoolID != "" {
		if !userPoolIDPattern.MatchString(a.ExistingUserPoolID) {
			bad("Auth.ExistingUserPoolID", "%q is not a user pool id (region_id)", a.ExistingUserPoolID)
		}
		return
	}
	switch a.MFA {
	case "REQUIRED":
	case "OFF", "OPTIONAL":
		if prod {
			bad("Auth.MFA", "must be REQUIRED in prod")
		}
	default:
		bad("Auth.MFA", "%q must be OFF, OPTIONAL or REQUIRED", a.MFA)
	}
	if m := a.AccessTokenMinutes; m < 5 || m > 1440 {
		bad("Auth.AccessTokenMinutes", "%d is outside 5-1440", m)
	}
	if d := a.RefreshTokenDays; d < 1 || d > 3650 {
		bad("Auth.RefreshTokenDays", "%d is outside 1-3650", d)
	}
	for _, urls := range []struct {
		field string
		list  []string
	}{{"Auth.CallbackURLs", a.CallbackURLs}, {"Auth.LogoutURLs", a.LogoutURLs}} {
		for i, u := range urls.list {
			if p, err := url.Parse(u); err != nil || p.Host == "" || !(p.Scheme == "https" || (p.Scheme == "http" && p.Hostname() == "localhost" && !prod)) {
				bad(fmt.Sprintf("%s[%d]", urls.field, i), "%q must be an https URL (http only for localhost outside prod)", u)
			}
		}
	}
	if len(a.CallbackURLs) == 0 {
		bad("Auth.CallbackURLs", "the interactive client needs at least one callback URL")
	}
	switch addr, err := mail.ParseAddress(a.EmailFrom); {
	case a.EmailFrom == "" && prod:
		bad("Auth.EmailFrom", "prod needs an SES sender: Cognito's default sends at most 50 e-mails a day")
	case a.EmailFrom != "" && (err != nil || addr.Address != a.EmailFrom):
		bad("Auth.EmailFrom", "%q is not a plain e-mail address", a.EmailFrom)
	}
}

// checkOrigin returns what is wrong with a CORS origin, or "".
func checkOrigin(origin string, prod bool) string {
	if origin == "*" {
		if prod {
			return "is not allowed in prod; list the origins"
		}
		return ""
	}
	u, err := url.Parse(origin)
	switch {
	case err != nil || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return "must be scheme://host[:port] with nothing after the host"
	case u.Scheme == "https":
		return ""
	case u.Scheme == "http" && u.Hostname() == "localhost" && !prod:
		return ""
	default:
		return "must use https (http only for localhost outside prod)"
	}
}
