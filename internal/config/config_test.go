package config

import (
	"errors"
	"strings"
	"testing"
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
		{"Lambda.MemoryMB", func(e *Environment) { e.Lambda.MemoryMB = 64 }},
		{"Lambda.TimeoutSeconds", func(e *Environment) { e.Lambda.TimeoutSeconds = 30 }},
		{"Throttling.RateLimit", func(e *Environment) { e.Throttling.RateLimit = 0 }},
		{"Throttling.BurstLimit", func(e *Environment) { e.Throttling.BurstLimit = 0 }},
		{"AlarmEmails[0]", func(e *Environment) { e.AlarmEmails = []string{"not an address"} }},
		{"CORSOrigins[0]", func(e *Environment) { e.CORSOrigins = []string{"https://app.example.com/path"} }},
		{"WriteThrottling", func(e *Environment) { e.WriteThrottling = &Throttling{RateLimit: 1e6, BurstLimit: 1} }},
		{"WAFRateLimit", func(e *Environment) { e.WAFRateLimit = 5 }},
		{"Alarms.WAFBlockedPer5Min", func(e *Environment) { e.Alarms.WAFBlockedPer5Min = 0 }},
		{"Retain", func(e *Environment) { e.Retain = false }},
		{"Lambda.Rollout", func(e *Environment) { e.Lambda.Rollout = "big-bang" }},
		{"Auth.EmailFrom", func(e *Environment) { e.Auth.EmailFrom = "Ops <ops@example.com>" }},
		{"UsagePlans[1]", func(e *Environment) { e.WAFRateLimit = 5999 }}, // partner: 20/s from one address
		{"UsagePlans", func(e *Environment) { e.UsagePlans = nil }},
		{"UsagePlans[0].QuotaPerDay", func(e *Environment) { e.UsagePlans = []UsagePlan{{Name: "std", Throttling: Throttling{1, 1}}} }},
		{"UsagePlans[1].Name", func(e *Environment) {
			p := UsagePlan{Name: "std", Throttling: Throttling{1, 1}, QuotaPerDay: 1}
			e.UsagePlans = []UsagePlan{p, p}
		}},
		{"Auth.MFA", func(e *Environment) { e.Auth.MFA = "SOMETIMES" }},
		{"Auth.DomainPrefix", func(e *Environment) { e.Auth.DomainPrefix = "Has Spaces" }},
		{"Auth.DomainPrefix", func(e *Environment) { e.Auth.DomainPrefix = "my-cognito-login" }},
		{"Auth.AccessTokenMinutes", func(e *Environment) { e.Auth.AccessTokenMinutes = 2 }},
		{"Auth.CallbackURLs[0]", func(e *Environment) { e.Auth.CallbackURLs = []string{"http://app.example.com/cb"} }},
		{"Auth.ExistingUserPoolID", func(e *Environment) { e.Auth.ExistingUserPoolID = "not-a-pool" }},
		{"Events.ArchiveRetentionDays", func(e *Environment) { e.Events.ArchiveRetentionDays = 0 }},
		{"ContributorInsights", func(e *Environment) { e.ContributorInsights = "" }},
		{"TraceSampling", func(e *Environment) { e.TraceSampling = &TraceSampling{ReservoirPerSecond: 1, Rate: 5} }},
		{"ContributorInsights", func(e *Environment) { e.ContributorInsights = "ALL" }},
		{"Events.NotificationTypes[0]", func(e *Environment) { e.Events.NotificationTypes = []string{"Created!"} }},
		{"CustomDomain.CertificateARN", func(e *Environment) {
			e.CustomDomain = &CustomDomain{Name: "api.example.com", CertificateARN: "arn:nope"}
		}},
	} {
		t.Run(tc.field, func(t *testing.T) {
			env := staging
			env.AlarmEmails = append([]string(nil), staging.AlarmEmails...)
			env.UsagePlans = append([]UsagePlan(nil), staging.UsagePlans...)
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
	prod.Auth.MFA = "OPTIONAL"
	prod.CORSOrigins = []string{"*"}
	prod.Auth.EmailFrom = ""
	err := prod.Validate()
	for _, want := range []string{`"prod": Auth.MFA: must be REQUIRED in prod`, `"prod": CORSOrigins[0]`, `"prod": Auth.EmailFrom: prod needs an SES sender`} {
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
