package config

// environments is the configuration of every environment. The accounts are
// placeholders: replace them with your own before `make deploy`. Synth and the
// tests never contact an account.
var environments = map[string]Environment{
	"dev": {
		Name:               "dev",
		Account:            "111111111111",
		Region:             "eu-west-1",
		LogRetentionDays:   14,
		Lambda:             Lambda{MemoryMB: 256, TimeoutSeconds: 10},
		Throttling:         Throttling{RateLimit: 50, BurstLimit: 100},
		WAF:                false,
		DeletionProtection: false,
		CORSOrigins:        []string{"http://localhost:3000"},
	},
	"staging": {
		Name:               "staging",
		Account:            "222222222222",
		Region:             "eu-west-1",
		LogRetentionDays:   30,
		Lambda:             Lambda{MemoryMB: 256, TimeoutSeconds: 10},
		Throttling:         Throttling{RateLimit: 200, BurstLimit: 400},
		AlarmEmails:        []string{"customers-oncall@example.com"},
		WAF:                true,
		DeletionProtection: false,
		CORSOrigins:        []string{"https://staging.app.example.com"},
	},
	"prod": {
		Name:               "prod",
		Account:            "333333333333",
		Region:             "eu-west-1",
		LogRetentionDays:   365,
		Lambda:             Lambda{MemoryMB: 512, TimeoutSeconds: 10},
		Throttling:         Throttling{RateLimit: 1000, BurstLimit: 2000},
		AlarmEmails:        []string{"customers-oncall@example.com"},
		WAF:                true,
		DeletionProtection: true,
		CORSOrigins:        []string{"https://app.example.com"},
	},
}
