package config

import (
	"time"

	"github.com/acme/customers-api/constructs/settings"
)

const day = 24 * time.Hour

// environments is the configuration of every environment. The accounts are
// placeholders: replace them with your own before `make deploy`. Synth and the
// tests never contact an account.
var environments = map[string]Environment{
	"dev": {
		Name:             "dev",
		Account:          "111111111111",
		Region:           "eu-west-1",
		LogRetentionDays: 14,
		Retain:           false,
		Functions:        Functions{MemoryMB: 256, Timeout: 10 * time.Second},
		Rollout:          Rollout{Strategy: settings.AllAtOnce},
		API: settings.API{
			Throttle:       settings.Throttle{RateLimit: 50, BurstLimit: 100},
			CORSOrigins:    []string{"http://localhost:3000"},
			CloudWatchRole: true,
			WAF:            false,
			UsagePlans: []settings.UsagePlan{
				{Name: "standard", Throttle: settings.Throttle{RateLimit: 20, BurstLimit: 40}, QuotaPerDay: 10_000, APIKeys: []string{"dev-tester"}},
			},
		},
		Auth: Auth{
			MFA:                 settings.MFAOptional,
			AccessTokenValidity: 60 * time.Minute, RefreshTokenValidity: 30 * day,
			CallbackURLs: []string{"http://localhost:3000/callback"}, LogoutURLs: []string{"http://localhost:3000/"},
		},
		Events: Events{ArchiveRetentionDays: 7},
		// Every access, for debugging: dev's traffic makes it cheap.
		ContributorInsights: settings.InsightsAccessedAndThrottledKeys,
		Alarms: Alarms{Thresholds: settings.Thresholds{
			API5xxPercent: 5, API4xxPercent: 25, APILatencyP99: 3 * time.Second, MinRequestsPer5Min: 0,
			DurationPercentOfTimeout: 80, ConcurrencyLimit: 1000, ConcurrencyPercent: 80,
			IteratorAge: 5 * time.Minute, QueueAge: 15 * time.Minute,
		}},
	},
	"staging": {
		Name:             "staging",
		Account:          "222222222222",
		Region:           "eu-west-1",
		LogRetentionDays: 30,
		Retain:           true,
		// Throttled keys only: what the throttle alarms need, without an
		// event per item read or written (issue 26).
		ContributorInsights: settings.InsightsThrottledKeys,
		Functions:           Functions{MemoryMB: 256, Timeout: 10 * time.Second},
		Rollout:             Rollout{Strategy: settings.Linear},
		API: settings.API{
			Throttle:     settings.Throttle{RateLimit: 200, BurstLimit: 400},
			CORSOrigins:  []string{"https://staging.app.example.com"},
			WAF:          true,
			WAFRateLimit: 6000,
			UsagePlans: []settings.UsagePlan{
				{Name: "standard", Throttle: settings.Throttle{RateLimit: 50, BurstLimit: 100}, QuotaPerDay: 50_000, APIKeys: []string{"web-app"}},
				{Name: "partner", Throttle: settings.Throttle{RateLimit: 20, BurstLimit: 40}, QuotaPerDay: 20_000, APIKeys: []string{"partner-crm"}, ServerToServer: true},
			},
		},
		WriteThrottle: &settings.Throttle{RateLimit: 50, BurstLimit: 100},
		Auth: Auth{
			MFA:                 settings.MFAOptional,
			AccessTokenValidity: 60 * time.Minute, RefreshTokenValidity: 30 * day,
			CallbackURLs: []string{"https://staging.app.example.com/callback"}, LogoutURLs: []string{"https://staging.app.example.com/"},
		},
		Events: Events{
			ArchiveRetentionDays: 30,
			NotificationEmails:   []string{"customer-care@example.com"},
			NotificationTypes:    []string{"customer.created", "customer.status-changed"},
		},
		Alarms: Alarms{
			Emails: []string{"customers-oncall@example.com"},
			Thresholds: settings.Thresholds{
				API5xxPercent: 2, API4xxPercent: 15, APILatencyP99: 2 * time.Second, MinRequestsPer5Min: 0,
				DurationPercentOfTimeout: 80, ConcurrencyLimit: 1000, ConcurrencyPercent: 80,
				IteratorAge: 2 * time.Minute, QueueAge: 10 * time.Minute, WAFBlockedPer5Min: 200,
			},
		},
	},
	"prod": {
		Name:             "prod",
		Account:          "333333333333",
		Region:           "eu-west-1",
		LogRetentionDays: 365,
		Retain:           true,
		// Throttled keys only: what the throttle alarms need, without an
		// event per item read or written (issue 26).
		ContributorInsights: settings.InsightsThrottledKeys,
		Functions:           Functions{MemoryMB: 512, Timeout: 10 * time.Second},
		Rollout:             Rollout{Strategy: settings.Canary},
		API: settings.API{
			Throttle:     settings.Throttle{RateLimit: 1000, BurstLimit: 2000},
			CORSOrigins:  []string{"https://app.example.com"},
			WAF:          true,
			WAFRateLimit: 30000,
			UsagePlans: []settings.UsagePlan{
				{Name: "standard", Throttle: settings.Throttle{RateLimit: 500, BurstLimit: 1000}, QuotaPerDay: 1_000_000, APIKeys: []string{"web-app"}},
				{Name: "partner", Throttle: settings.Throttle{RateLimit: 100, BurstLimit: 200}, QuotaPerDay: 100_000, APIKeys: []string{"partner-crm"}, ServerToServer: true},
			},
			// One trace a second whatever the traffic, then 1% of the rest:
			// enough traces to follow latency and errors, at a fifth of the
			// default rule's 5% (issue 26).
			TraceSampling: &settings.TraceSampling{ReservoirPerSecond: 1, Rate: 0.01},
		},
		WriteThrottle: &settings.Throttle{RateLimit: 200, BurstLimit: 400},
		Auth: Auth{
			EmailFrom: "no-reply@example.com", MFA: settings.MFARequired,
			AccessTokenValidity: 15 * time.Minute, RefreshTokenValidity: 7 * day,
			CallbackURLs: []string{"https://app.example.com/callback"}, LogoutURLs: []string{"https://app.example.com/"},
		},
		Events: Events{
			ArchiveRetentionDays: 365,
			NotificationEmails:   []string{"customer-care@example.com"},
			NotificationTypes:    []string{"customer.created", "customer.status-changed"},
		},
		Alarms: Alarms{
			Emails: []string{"customers-oncall@example.com"},
			Thresholds: settings.Thresholds{
				API5xxPercent: 1, API4xxPercent: 10, APILatencyP99: time.Second, MinRequestsPer5Min: 10,
				DurationPercentOfTimeout: 80, ConcurrencyLimit: 1000, ConcurrencyPercent: 80,
				IteratorAge: time.Minute, QueueAge: 5 * time.Minute, WAFBlockedPer5Min: 1000,
			},
		},
	},
}
