package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"time"

	"github.com/acme/customers-api/constructs/settings"
)

// FieldError reports one invalid configuration value.
type FieldError struct {
	// Field is the path of the field, e.g. "API.UsagePlans[1].Name".
	Env, Field, Problem string
}

// Error names the environment, the field and the problem.
func (e *FieldError) Error() string {
	return fmt.Sprintf("config: environment %q: %s: %s", e.Env, e.Field, e.Problem)
}

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
	webACLARNPattern    = regexp.MustCompile(`^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:[0-9]{12}:regional/webacl/[A-Za-z0-9_-]+/[0-9a-f-]{36}$`)
)

// problems collects FieldErrors for one environment.
type problems struct {
	env  string
	errs []error
}

func (p *problems) bad(field, format string, args ...any) {
	p.errs = append(p.errs, &FieldError{Env: p.env, Field: field, Problem: fmt.Sprintf(format, args...)})
}

// Validate checks every field and returns all problems at once, each a
// *FieldError naming the environment and the field.
func (e Environment) Validate() error {
	p := &problems{env: e.Name}
	prod := e.Name == "prod"
	if !namePattern.MatchString(e.Name) {
		p.bad("Name", "%q must be 2-32 lower-case letters, digits or hyphens, starting with a letter", e.Name)
	}
	if !accountPattern.MatchString(e.Account) {
		p.bad("Account", "%q is not a 12-digit AWS account id", e.Account)
	}
	if !regionPattern.MatchString(e.Region) {
		p.bad("Region", "%q is not an AWS region name", e.Region)
	}
	if !settings.ValidRetention(e.LogRetentionDays) {
		p.bad("LogRetentionDays", "%d is not a CloudWatch Logs retention period (one of %v)", e.LogRetentionDays, settings.RetentionDays)
	}
	if !e.Retain && e.Name != "dev" {
		p.bad("Retain", "only dev may destroy data; set Retain in %s", e.Name)
	}
	e.Functions.validate(p)
	if s := e.Rollout.Strategy; s != "" && !slices.Contains(settings.Strategies, s) {
		p.bad("Rollout.Strategy", "%q must be one of %q", s, settings.Strategies)
	}
	validateAPI(e.API, prod, p)
	if t := e.WriteThrottle; t != nil && (t.RateLimit <= 0 || t.RateLimit > e.API.Throttle.RateLimit || t.BurstLimit < 1 || t.BurstLimit > e.API.Throttle.BurstLimit) {
		p.bad("WriteThrottle", "must be positive and at most the stage's API.Throttle")
	}
	e.Auth.validate(prod, p)
	// Cognito, "Using the Amazon Cognito prefix domain": lower-case letters,
	// numbers and hyphens, no "aws", "amazon" or "cognito".
	if prefix := e.DomainPrefix(); e.Auth.ExistingUserPoolID == "" &&
		(!domainPrefixPattern.MatchString(prefix) || reservedInPrefix.MatchString(prefix)) {
		p.bad("Auth.DomainPrefix", "%q must be 1-63 lower-case letters, digits or hyphens, without aws, amazon or cognito", prefix)
	}
	e.Events.validate(p)
	e.Alarms.validate(e.API.WAF, p)
	if !slices.Contains(settings.InsightsModes, e.ContributorInsights) {
		p.bad("ContributorInsights", "%q must be one of %q", e.ContributorInsights, settings.InsightsModes)
	}
	return errors.Join(p.errs...)
}

func (f Functions) validate(p *problems) {
	if m := f.MemoryMB; m < 128 || m > 10240 {
		p.bad("Functions.MemoryMB", "%d is outside 128-10240", m)
	}
	if t := f.Timeout; t < time.Second || t > 29*time.Second || t%time.Second != 0 {
		p.bad("Functions.Timeout", "%v is not a whole number of seconds from 1s to 29s (API Gateway's integration timeout)", t)
	}
	if f.ProvisionedConcurrency < 0 {
		p.bad("Functions.ProvisionedConcurrency", "%d is negative", f.ProvisionedConcurrency)
	}
}

// validateAPI checks the front door's settings, stricter than restapi:
// what this service allows, with the field named.
func validateAPI(a settings.API, prod bool, p *problems) {
	if r := a.Throttle.RateLimit; r <= 0 || r > 10000 {
		p.bad("API.Throttle.RateLimit", "%g is outside (0, 10000] requests per second", r)
	}
	if b := a.Throttle.BurstLimit; b < 1 || b > 5000 {
		p.bad("API.Throttle.BurstLimit", "%d is outside 1-5000", b)
	}
	for i, origin := range a.CORSOrigins {
		if problem := checkOrigin(origin, prod); problem != "" {
			p.bad(fmt.Sprintf("API.CORSOrigins[%d]", i), "%q %s", origin, problem)
		}
	}
	if a.WAF && (a.WAFRateLimit < 10 || a.WAFRateLimit > 2_000_000_000) {
		p.bad("API.WAFRateLimit", "%d is outside 10-2000000000 requests per 5 minutes", a.WAFRateLimit)
	}
	switch {
	case a.WebACLArn != "" && a.WAF:
		p.bad("API.WebACLArn", "set WAF or WebACLArn, not both")
	case a.WebACLArn != "" && !webACLARNPattern.MatchString(a.WebACLArn):
		p.bad("API.WebACLArn", "%q is not a regional WAFv2 web ACL ARN", a.WebACLArn)
	}
	if len(a.UsagePlans) == 0 {
		p.bad("API.UsagePlans", "at least one plan is required: every method requires an API key")
	}
	seen := map[string]bool{}
	for i, plan := range a.UsagePlans {
		field := fmt.Sprintf("API.UsagePlans[%d]", i)
		if !namePattern.MatchString(plan.Name) || seen[plan.Name] {
			p.bad(field+".Name", "%q must be a unique lower-case name", plan.Name)
		}
		seen[plan.Name] = true
		if plan.Throttle.RateLimit <= 0 || plan.Throttle.BurstLimit < 1 {
			p.bad(field+".Throttle", "rate and burst must be positive")
		}
		if plan.QuotaPerDay < 1 {
			p.bad(field+".QuotaPerDay", "%d must be positive", plan.QuotaPerDay)
		}
		for j, k := range plan.APIKeys {
			if !namePattern.MatchString(k) {
				p.bad(fmt.Sprintf("%s.APIKeys[%d]", field, j), "%q must be a lower-case name", k)
			}
		}
		if blocked, perWindow := a.BlocksServerToServer(plan); blocked {
			p.bad(field, "plan %s allows %.0f requests in 5 minutes, but WAFRateLimit blocks one IP address after %d; raise WAFRateLimit to at least %.0f",
				plan.Name, perWindow, a.WAFRateLimit, perWindow)
		}
	}
	if d := a.CustomDomain; d != nil {
		if !domainPattern.MatchString(d.Name) {
			p.bad("API.CustomDomain.Name", "%q is not a domain name", d.Name)
		}
		if !acmARNPattern.MatchString(d.CertificateARN) {
			p.bad("API.CustomDomain.CertificateARN", "%q is not an ACM certificate ARN", d.CertificateARN)
		}
	}
	if ts := a.TraceSampling; ts != nil && (ts.ReservoirPerSecond < 0 || ts.Rate < 0 || ts.Rate > 1) {
		p.bad("API.TraceSampling", "reservoir %d must be 0 or more and rate %g from 0 to 1", ts.ReservoirPerSecond, ts.Rate)
	}
}

func (a Auth) validate(prod bool, p *problems) {
	if a.ExistingUserPoolID != "" {
		if !userPoolIDPattern.MatchString(a.ExistingUserPoolID) {
			p.bad("Auth.ExistingUserPoolID", "%q is not a user pool id (region_id)", a.ExistingUserPoolID)
		}
		return
	}
	switch {
	case !slices.Contains(settings.MFAModes, a.MFA):
		p.bad("Auth.MFA", "%q must be one of %q", a.MFA, settings.MFAModes)
	case prod && a.MFA != settings.MFARequired:
		p.bad("Auth.MFA", "must be REQUIRED in prod")
	}
	// Cognito's token validity limits (UserPoolClient
	// AccessTokenValidity, RefreshTokenValidity), as this service narrows
	// them; the userpool construct passes whole minutes.
	if v := a.AccessTokenValidity; v < 5*time.Minute || v > 24*time.Hour || v%time.Minute != 0 {
		p.bad("Auth.AccessTokenValidity", "%v is not a whole number of minutes from 5m to 24h", v)
	}
	if v := a.RefreshTokenValidity; v < 24*time.Hour || v > 3650*24*time.Hour || v%time.Minute != 0 {
		p.bad("Auth.RefreshTokenValidity", "%v is not a whole number of minutes from 1 day to 3650 days", v)
	}
	for _, urls := range []struct {
		field string
		list  []string
	}{{"Auth.CallbackURLs", a.CallbackURLs}, {"Auth.LogoutURLs", a.LogoutURLs}} {
		for i, u := range urls.list {
			if parsed, err := url.Parse(u); err != nil || parsed.Host == "" || !(parsed.Scheme == "https" || (parsed.Scheme == "http" && parsed.Hostname() == "localhost" && !prod)) {
				p.bad(fmt.Sprintf("%s[%d]", urls.field, i), "%q must be an https URL (http only for localhost outside prod)", u)
			}
		}
	}
	if len(a.CallbackURLs) == 0 {
		p.bad("Auth.CallbackURLs", "the interactive client needs at least one callback URL")
	}
	switch {
	case a.EmailFrom == "" && prod:
		p.bad("Auth.EmailFrom", "prod needs an SES sender: Cognito's default sends at most 50 e-mails a day")
	case a.EmailFrom != "" && !settings.PlainAddress(a.EmailFrom):
		p.bad("Auth.EmailFrom", "%q is not a plain e-mail address", a.EmailFrom)
	}
}

func (ev Events) validate(p *problems) {
	if d := ev.ArchiveRetentionDays; d < 1 || d > 3650 {
		p.bad("Events.ArchiveRetentionDays", "%d is outside 1-3650", d)
	}
	for i, addr := range ev.NotificationEmails {
		if !settings.PlainAddress(addr) {
			p.bad(fmt.Sprintf("Events.NotificationEmails[%d]", i), "%q is not a plain e-mail address", addr)
		}
	}
	if len(ev.NotificationEmails) > 0 && len(ev.NotificationTypes) == 0 {
		p.bad("Events.NotificationTypes", "name the event types to send to NotificationEmails")
	}
	for i, t := range ev.NotificationTypes {
		if !eventTypePattern.MatchString(t) {
			p.bad(fmt.Sprintf("Events.NotificationTypes[%d]", i), "%q is not an event type like customer.created", t)
		}
	}
}

func (a Alarms) validate(waf bool, p *problems) {
	for i, addr := range a.Emails {
		if !settings.PlainAddress(addr) {
			p.bad(fmt.Sprintf("Alarms.Emails[%d]", i), "%q is not a plain e-mail address", addr)
		}
	}
	t := a.Thresholds
	for field, pct := range map[string]float64{"Alarms.Thresholds.API5xxPercent": t.API5xxPercent, "Alarms.Thresholds.API4xxPercent": t.API4xxPercent} {
		if pct <= 0 || pct > 100 {
			p.bad(field, "%g is outside (0, 100]", pct)
		}
	}
	if d := t.APILatencyP99; d < time.Millisecond || d > 29*time.Second {
		p.bad("Alarms.Thresholds.APILatencyP99", "%v is outside 1ms-29s", d)
	}
	if t.MinRequestsPer5Min < 0 {
		p.bad("Alarms.Thresholds.MinRequestsPer5Min", "%d is negative", t.MinRequestsPer5Min)
	}
	for field, pct := range map[string]int{"Alarms.Thresholds.DurationPercentOfTimeout": t.DurationPercentOfTimeout, "Alarms.Thresholds.ConcurrencyPercent": t.ConcurrencyPercent} {
		if pct < 1 || pct > 100 {
			p.bad(field, "%d is outside 1-100", pct)
		}
	}
	if t.ConcurrencyLimit < 1 {
		p.bad("Alarms.Thresholds.ConcurrencyLimit", "%d must be positive", t.ConcurrencyLimit)
	}
	for field, d := range map[string]time.Duration{"Alarms.Thresholds.IteratorAge": t.IteratorAge, "Alarms.Thresholds.QueueAge": t.QueueAge} {
		if d < time.Second {
			p.bad(field, "%v must be at least 1s", d)
		}
	}
	if waf && t.WAFBlockedPer5Min < 1 {
		p.bad("Alarms.Thresholds.WAFBlockedPer5Min", "%d must be positive when API.WAF is on", t.WAFBlockedPer5Min)
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
