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
	// DeletionProtection protects stateful resources from deletion and
	// retains them when their stack is deleted.
	DeletionProtection bool
	// CORSOrigins are the browser origins allowed to call the API, as
	// https URLs (http is accepted only for localhost). "*" is refused
	// in prod.
	CORSOrigins []string
}

// Lambda holds per-function defaults.
type Lambda struct {
	// MemoryMB is the function memory, 128 to 10240 MB.
	MemoryMB int
	// TimeoutSeconds is the function timeout, 1 to 29 seconds for API
	// handlers (API Gateway's integration limit).
	TimeoutSeconds int
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

func (e *FieldError) Error() string {
	return fmt.Sprintf("config: environment %q: %s: %s", e.Env, e.Field, e.Problem)
}

// retentionDays are the retention periods CloudWatch Logs accepts.
var retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

var (
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`)
	namePattern    = regexp.MustCompile(`^[a-z][a-z0-9]{1,15}$`)
)

// Validate checks every field and returns all problems at once, each naming
// the environment and the field.
func (e Environment) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Env: e.Name, Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if !namePattern.MatchString(e.Name) {
		bad("Name", "%q must be 2-16 lower-case letters or digits, starting with a letter", e.Name)
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
	for i, origin := range e.CORSOrigins {
		if problem := checkOrigin(origin, e.Name == "prod"); problem != "" {
			bad(fmt.Sprintf("CORSOrigins[%d]", i), "%q %s", origin, problem)
		}
	}
	return errors.Join(errs...)
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
