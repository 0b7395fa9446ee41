package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acme/customers-api/constructs/settings"
)

func TestEveryEnvironmentIsValid(t *testing.T) {
	envs, err := Select("")
	if err != nil {
		t.Fatal(err)
	}
	if len(envs) != 3 {
		t.Fatalf("Select(\"\") gave %d environments, want 3", len(envs))
	}
	for i, name := range Names() {
		if envs[i].Name != name {
			t.Errorf("environment %d is %q, want %q", i, envs[i].Name, name)
		}
	}
}

func TestABadValueNamesTheEnvironmentAndField(t *testing.T) {
	staging, err := Lookup("staging")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field  string
		mutate func(*Environment)
	}{
		{"LogRetentionDays", func(e *Environment) { e.LogRetentionDays = -1 }},
		{"Account", func(e *Environment) { e.Account = "12345" }},
		{"Region", func(e *Environment) { e.Region = "Europe" }},
		{"Functions.MemoryMB", func(e *Environment) { e.Functions.MemoryMB = 64 }},
		{"Functions.Timeout", func(e *Environment) { e.Functions.Timeout = 30 * time.Second }},
		{"Functions.Timeout", func(e *Environment) { e.Functions.Timeout = 1500 * time.Millisecond }},
		{"API.Throttle.RateLimit", func(e *Environment) { e.API.Throttle.RateLimit = 0 }},
		{"API.Throttle.BurstLimit", func(e *Environment) { e.API.Throttle.BurstLimit = 0 }},
		{"Alarms.Emails[0]", func(e *Environment) { e.Alarms.Emails = []string{"not an address"} }},
		{"API.CORSOrigins[0]", func(e *Environment) { e.API.CORSOrigins = []string{"https://app.example.com/path"} }},
		{"WriteThrottle", func(e *Environment) { e.WriteThrottle = &settings.Throttle{RateLimit: 1e6, BurstLimit: 1} }},
		{"API.WAFRateLimit", func(e *Environment) { e.API.WAFRateLimit = 5 }},
		{"API.WebACLArn", func(e *Environment) {
			e.API.WebACLArn = "arn:aws:wafv2:eu-west-1:222222222222:regional/webacl/central/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
		}},
		{"API.WebACLArn", func(e *Environment) { e.API.WAF, e.API.WebACLArn = false, "arn:aws:wafv2:nope" }},
		{"Alarms.Thresholds.WAFBlockedPer5Min", func(e *Environment) { e.Alarms.Thresholds.WAFBlockedPer5Min = 0 }},
		{"Alarms.Thresholds.APILatencyP99", func(e *Environment) { e.Alarms.Thresholds.APILatencyP99 = time.Minute }},
		{"Alarms.Thresholds.QueueAge", func(e *Environment) { e.Alarms.Thresholds.QueueAge = 0 }},
		{"Retain", func(e *Environment) { e.Retain = false }},
		{"Rollout.Strategy", func(e *Environment) { e.Rollout.Strategy = "big-bang" }},
		{"Auth.EmailFrom", func(e *Environment) { e.Auth.EmailFrom = "Ops <ops@example.com>" }},
		{"API.UsagePlans[1]", func(e *Environment) { e.API.WAFRateLimit = 5999 }}, // partner: 20/s from one address
		{"API.UsagePlans", func(e *Environment) { e.API.UsagePlans = nil }},
		{"API.UsagePlans[0].QuotaPerDay", func(e *Environment) {
			e.API.UsagePlans = []settings.UsagePlan{{Name: "std", Throttle: settings.Throttle{RateLimit: 1, BurstLimit: 1}}}
		}},
		{"API.UsagePlans[1].Name", func(e *Environment) {
			p := settings.UsagePlan{Name: "std", Throttle: settings.Throttle{RateLimit: 1, BurstLimit: 1}, QuotaPerDay: 1}
			e.API.UsagePlans = []settings.UsagePlan{p, p}
		}},
		{"Auth.MFA", func(e *Environment) { e.Auth.MFA = "SOMETIMES" }},
		{"Auth.DomainPrefix", func(e *Environment) { e.Auth.DomainPrefix = "Has Spaces" }},
		{"Auth.DomainPrefix", func(e *Environment) { e.Auth.DomainPrefix = "my-cognito-login" }},
		{"Auth.AccessTokenValidity", func(e *Environment) { e.Auth.AccessTokenValidity = 2 * time.Minute }},
		{"Auth.RefreshTokenValidity", func(e *Environment) { e.Auth.RefreshTokenValidity = 30*24*time.Hour + time.Second }},
		{"Auth.CallbackURLs[0]", func(e *Environment) { e.Auth.CallbackURLs = []string{"http://app.example.com/cb"} }},
		{"Auth.ExistingUserPoolID", func(e *Environment) { e.Auth.ExistingUserPoolID = "not-a-pool" }},
		{"Events.ArchiveRetentionDays", func(e *Environment) { e.Events.ArchiveRetentionDays = 0 }},
		{"ContributorInsights", func(e *Environment) { e.ContributorInsights = "" }},
		{"API.TraceSampling", func(e *Environment) { e.API.TraceSampling = &settings.TraceSampling{ReservoirPerSecond: 1, Rate: 5} }},
		{"ContributorInsights", func(e *Environment) { e.ContributorInsights = "ALL" }},
		{"Events.NotificationTypes[0]", func(e *Environment) { e.Events.NotificationTypes = []string{"Created!"} }},
		{"API.CustomDomain.CertificateARN", func(e *Environment) {
			e.API.CustomDomain = &settings.CustomDomain{Name: "api.example.com", CertificateARN: "arn:nope"}
		}},
	} {
		t.Run(tc.field, func(t *testing.T) {
			env := staging
			env.Alarms.Emails = append([]string(nil), staging.Alarms.Emails...)
			env.API.UsagePlans = append([]settings.UsagePlan(nil), staging.API.UsagePlans...)
			tc.mutate(&env)
			err := env.Validate()
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Env != "staging" || fe.Field != tc.field {
				t.Fatalf("Validate() = %v, want a FieldError for staging.%s", err, tc.field)
			}
			if !strings.Contains(err.Error(), `environment "staging": `+tc.field) {
				t.Errorf("message %q does not name the environment and field", err)
			}
		})
	}
}

func TestAllProblemsAreReportedAtOnce(t *testing.T) {
	env, _ := Lookup("dev")
	env.LogRetentionDays = 0
	env.Region = ""
	err := env.Validate()
	for _, field := range []string{"LogRetentionDays", "Region"} {
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("error %v does not mention %s", err, field)
		}
	}
}

func TestCORSOrigins(t *testing.T) {
	for _, tc := range []struct {
		origin string
		prod   bool
		ok     bool
	}{
		{"https://app.example.com", true, true},
		{"https://app.example.com:8443", true, true},
		{"*", false, true},
		{"*", true, false},
		{"http://localhost:3000", false, true},
		{"http://localhost:3000", true, false},
		{"http://app.example.com", false, false},
		{"app.example.com", false, false},
		{"https://app.example.com/", false, false},
	} {
		if got := checkOrigin(tc.origin, tc.prod) == ""; got != tc.ok {
			t.Errorf("checkOrigin(%q, prod=%v) accepted=%v, want %v", tc.origin, tc.prod, got, tc.ok)
		}
	}
}

func TestUnknownEnvironmentIsAnError(t *testing.T) {
	if _, err := Select("qa"); err == nil || !strings.Contains(err.Error(), `unknown environment "qa"`) {
		t.Errorf("Select(qa) = %v", err)
	}
}

func TestProdRequiresMFAAnSESSenderAndNoWildcardOrigin(t *testing.T) {
	prod, _ := Lookup("prod")
	prod.Auth.MFA = settings.MFAOptional
	prod.API.CORSOrigins = []string{"*"}
	prod.Auth.EmailFrom = ""
	err := prod.Validate()
	for _, want := range []string{`"prod": Auth.MFA: must be REQUIRED in prod`, `"prod": API.CORSOrigins[0]`, `"prod": Auth.EmailFrom: prod needs an SES sender`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not contain %q", err, want)
		}
	}
}

func TestAnImportedUserPoolNeedsNoPoolSettings(t *testing.T) {
	dev, _ := Lookup("dev")
	dev.Auth = Auth{ExistingUserPoolID: "eu-west-1_AbCdEf123"}
	if err := dev.Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
}

// The Cognito domain prefix is derived from the environment's name and
// account, so replacing a placeholder account moves it too; no environment
// pins a literal.
func TestTheDomainPrefixFollowsTheEnvironmentsNameAndAccount(t *testing.T) {
	for _, name := range []string{"dev", "staging", "prod"} {
		env, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		env.Account = "444455556666"
		if got, want := env.DomainPrefix(), "customers-"+name+"-444455556666"; got != want {
			t.Errorf("%s: DomainPrefix() = %q with account 444455556666, want %q", name, got, want)
		}
		if err := env.Validate(); err != nil {
			t.Errorf("%s with a real account: %v", name, err)
		}
	}
}
