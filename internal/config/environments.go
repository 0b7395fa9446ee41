package config

// environments is the configuration of every environment. The accounts are
// placeholders: replace them with your own before `make deploy`. Synth and the
// tests never contact an account.
var environments = map[string]Environment{
	"dev": {
		Name:                     "dev",
		Account:                  "111111111111",
		Region:                   "eu-west-1",
		LogRetentionDays:         14,
		Lambda:                   Lambda{MemoryMB: 256, TimeoutSeconds: 10, Rollout: "all-at-once"},
		Throttling:               Throttling{RateLimit: 50, BurstLimit: 100},
		WAF:                      false,
		Retain:                   false,
		APIGatewayCloudWatchRole: true,
		CORSOrigins:              []string{"http://localhost:3000"},
		Auth: Auth{
			MFA:                "OPTIONAL",
			AccessTokenMinutes: 60, RefreshTokenDays: 30,
			CallbackURLs: []string{"http://localhost:3000/callback"}, LogoutURLs: []string{"http://localhost:3000/"},
		},
		UsagePlans: []UsagePlan{
			{Name: "standard", Throttling: Throttling{RateLimit: 20, BurstLimit: 40}, QuotaPerDay: 10_000, APIKeys: []string{"dev-tester"}},
		},
		Events: Events{ArchiveRetentionDays: 7},
		// Every access, for debugging: dev's traffic makes it cheap.
		ContributorInsights: "ACCESSED_AND_THROTTLED_KEYS",
		Alarms: Alarms{
			API5xxPercent: 5, API4xxPercent: 25, APILatencyP99Ms: 3000, MinRequestsPer5Min: 0,
			DurationPercentOfTimeout: 80, ConcurrencyLimit: 1000, ConcurrencyPercent: 80,
			IteratorAgeSeconds: 300, QueueAgeSeconds: 900,
		},
	},
	"staging": {
		Name:             "staging",
		Account:          "222222222222",
		Region:           "eu-west-1",
		LogRetentionDays: 30,
		// Throttled keys only: what the throttle alarms need, without an
		// event per item read or written (issue 26).
		ContributorInsights: "THROTTLED_KEYS",
		Lambda:              Lambda{MemoryMB: 256, TimeoutSeconds: 10, Rollout: "linear"},
		Throttling:          Throttling{RateLimit: 200, BurstLimit: 400},
		AlarmEmails:         []string{"customers-oncall@example.com"},
		WAF:                 true,
		Retain:              true,
		CORSOrigins:         []string{"https://staging.app.example.com"},
		WriteThrottling:     &Throttling{RateLimit: 50, BurstLimit: 100},
		WAFRateLimit:        6000,
		Auth: Auth{
			MFA:                "OPTIONAL",
			AccessTokenMinutes: 60, RefreshTokenDays: 30,
			CallbackURLs: []string{"https://staging.app.example.com/callback"}, LogoutURLs: []string{"https://staging.app.example.com/"},
		},
		UsagePlans: []UsagePlan{
			{Name: "standard", Throttling: Throttling{RateLimit: 50, BurstLimit: 100}, QuotaPerDay: 50_000, APIKeys: []string{"web-app"}},
			{Name: "partner", Throttling: Throttling{RateLimit: 20, BurstLimit: 40}, QuotaPerDay: 20_000, APIKeys: []string{"partner-crm"}, ServerToServer: true},
		},
		Events: Events{
			ArchiveRetentionDays: 30,
			NotificationEmails:   []string{"customer-care@example.com"},
			NotificationTypes:    []string{"customer.created", "customer.status-changed"},
		},
		Alarms: Alarms{
			API5xxPercent: 2, API4xxPercent: 15, APILatencyP99Ms: 2000, MinRequestsPer5Min: 0,
			DurationPercentOfTimeout: 80, ConcurrencyLimit: 1000, ConcurrencyPercent: 80,
			IteratorAgeSeconds: 120, QueueAgeSeconds: 600, WAFBlockedPer5Min: 200,
		},
	},
	"prod": {
		Name:             "prod",
		Account:          "333333333333",
		Region:           "eu-west-1",
		LogRetentionDays: 365,
		// One trace a second whatever the traffic, then 1% of the rest:
		// enough traces to follow latency and errors, at a fifth of the
		// default rule's 5% (issue 26).
		TraceSampling: &TraceSampling{ReservoirPerSecond: 1, Rate: 0.01},
		// Throttled keys only: what the throttle alarms need, without an
		// event per item read or written (issue 26).
		ContributorInsights: "THROTTLED_KEYS",
		Lambda:              Lambda{MemoryMB: 512, TimeoutSeconds: 10, Rollout: "canary"},
		Throttling:          Throttling{RateLimit: 1000, BurstLimit: 2000},
		AlarmEmails:         []string{"customers-oncall@example.com"},
		WAF:                 true,
		Retain:              true,
		CORSOrigins:         []string{"https://app.example.com"},
		WriteThrottling:     &Throttling{RateLimit: 200, BurstLimit: 400},
		WAFRateLimit:        30000,
		Auth: Auth{
			EmailFrom: "no-reply@example.com", MFA: "REQUIRED",
			AccessTokenMinutes: 15, RefreshTokenDays: 7,
			CallbackURLs: []string{"https://app.example.com/callback"}, LogoutURLs: []string{"https://app.example.com/"},
		},
		UsagePlans: []UsagePlan{
			{Name: "standard", Throttling: Throttling{RateLimit: 500, BurstLimit: 1000}, QuotaPerDay: 1_000_000, APIKeys: []string{"web-app"}},
			{Name: "partner", Throttling: Throttling{RateLimit: 100, BurstLimit: 200}, QuotaPerDay: 100_000, APIKeys: []string{"partner-crm"}, ServerToServer: true},
		},
		Events: Events{
			ArchiveRetentionDays: 365,
			NotificationEmails:   []string{"customer-care@example.com"},
			NotificationTypes:    []string{"customer.created", "customer.status-changed"},
		},
		Alarms: Alarms{
			API5xxPercent: 1, API4xxPercent: 10, APILatencyP99Ms: 1000, MinRequestsPer5Min: 10,
			DurationPercentOfTimeout: 80, ConcurrencyLimit: 1000, ConcurrencyPercent: 80,
			IteratorAgeSeconds: 60, QueueAgeSeconds: 300, WAFBlockedPer5Min: 1000,
		},
	},
}
