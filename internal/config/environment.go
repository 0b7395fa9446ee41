package config

import (
	"time"

	"github.com/acme/customers-api/constructs/settings"
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
	// one of settings.RetentionDays (gofunction.Settings.LogRetentionDays).
	LogRetentionDays int
	// Retain protects stateful resources (table, user pool, keys, bus and
	// archive, queues, logs) from deletion and keeps them when their stack is
	// deleted. Only dev may turn it off: no other environment destroys data.
	Retain bool
	// Functions are every handler function's settings.
	Functions Functions
	// Rollout is how a deploy shifts each function's traffic to its new
	// version (resourceapi.Rollout).
	Rollout Rollout
	// API is the front door: stage throttle, CORS origins, WAF, usage plans,
	// custom domain, trace sampling (restapi.Settings, passed on whole).
	// CORSOrigins are https origins (http only for localhost outside prod;
	// "*" is refused in prod); every ServerToServer plan's rate must pass
	// the WAF per-IP rule.
	API settings.API
	// WriteThrottle, when set, is a lower limit for POST, PUT and DELETE
	// than API.Throttle (resourceapi.Props.WriteThrottle).
	WriteThrottle *settings.Throttle
	// Auth configures the Cognito user pool that authenticates callers.
	Auth Auth
	// Events configures the business event fan-out.
	Events Events
	// Alarms says who is paged and when.
	Alarms Alarms
	// ContributorInsights is what DynamoDB Contributor Insights records on
	// the table and its indexes (table.Props.ContributorInsights):
	// settings.InsightsThrottledKeys (only throttled requests: the hot keys
	// a throttle alarm sends operators to, free while nothing throttles) or
	// settings.InsightsAccessedAndThrottledKeys (every item read or
	// written, each a billed event: about $0.02 per 4,000 requests of this
	// API). Required.
	ContributorInsights settings.InsightsMode
}

// Functions are the settings every handler function shares
// (gofunction.Settings; its LogRetentionDays and Retain are the
// environment's).
type Functions struct {
	// MemoryMB is the function memory, 128 to 10240 MB.
	MemoryMB int
	// Timeout is the function timeout, a whole number of seconds from 1s to
	// 29s for API handlers (API Gateway's integration limit).
	Timeout time.Duration
	// ProvisionedConcurrency keeps that many environments of every
	// function's live version initialized (billed while idle); 0 is off.
	ProvisionedConcurrency int
}

// Rollout is how a deploy moves each function's alias to its new version
// (resourceapi.Rollout).
type Rollout struct {
	// Strategy is settings.Canary (10% for 5 minutes), settings.Linear (10%
	// more every minute) or settings.AllAtOnce; CodeDeploy rolls back on the
	// function's alarms and the API's 5XX rate either way. Empty is canary.
	Strategy settings.Strategy
}

// Alarms are who receives the environment's pages, and the thresholds
// (monitoring.Settings, without a topic of its own).
type Alarms struct {
	// Emails are paged when a subsystem becomes unhealthy and when it
	// recovers. May be empty.
	Emails []string
	// Thresholds are the alarms' thresholds; every field is set here
	// (a zero would take monitoring.Defaults, which is no environment's
	// decision).
	Thresholds settings.Thresholds
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

// Auth configures authentication: an imported pool, or the settings of the
// pool to create (userpool.Props).
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
	// MFA is settings.MFAOff, MFAOptional or MFARequired (required in prod).
	MFA settings.MFA
	// AccessTokenValidity is the access and ID token lifetime, whole
	// minutes from 5 minutes to 1 day.
	AccessTokenValidity time.Duration
	// RefreshTokenValidity is the refresh token lifetime, whole minutes
	// from 1 day to 3650 days.
	RefreshTokenValidity time.Duration
	// CallbackURLs and LogoutURLs are the interactive client's redirect
	// targets (https, or http on localhost outside prod).
	CallbackURLs []string
	LogoutURLs   []string
}
