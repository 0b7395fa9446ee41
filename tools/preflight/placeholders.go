package main

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	envconfig "github.com/acme/customers-api/internal/config"
)

// exampleAccounts are the placeholder accounts internal/config ships with.
var exampleAccounts = map[string]bool{"111111111111": true, "222222222222": true, "333333333333": true}

// exampleDomain says whether host is example.com, example.net or
// example.org or under one of them: names reserved for documentation (RFC
// 2606, section 3), which no real sender, origin or callback has.
func exampleDomain(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, d := range []string{"example.com", "example.net", "example.org"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// placeholders lists, one line each with its fix, what env still holds of
// the examples: an example account, e-mail addresses and URLs in an
// example domain. It makes no AWS call.
func placeholders(env envconfig.Environment) []string {
	var out []string
	if exampleAccounts[env.Account] {
		out = append(out, fmt.Sprintf("Account %s is an example account: set the environment's own account in internal/config/environments.go", env.Account))
	}
	addresses := map[string][]string{"Alarms.Emails": env.Alarms.Emails, "Events.NotificationEmails": env.Events.NotificationEmails}
	if env.Auth.EmailFrom != "" {
		addresses["Auth.EmailFrom"] = []string{env.Auth.EmailFrom}
	}
	urls := map[string][]string{"API.CORSOrigins": env.API.CORSOrigins, "Auth.CallbackURLs": env.Auth.CallbackURLs, "Auth.LogoutURLs": env.Auth.LogoutURLs}
	for _, field := range []string{"Alarms.Emails", "Events.NotificationEmails", "Auth.EmailFrom", "API.CORSOrigins", "Auth.CallbackURLs", "Auth.LogoutURLs"} {
		for i, v := range addresses[field] {
			if a, err := mail.ParseAddress(v); err == nil && exampleDomain(a.Address[strings.LastIndex(a.Address, "@")+1:]) {
				name := fmt.Sprintf("%s[%d]", field, i)
				if field == "Auth.EmailFrom" { // one address, not a list
					name = field
				}
				out = append(out, fmt.Sprintf("%s %s is an example address: set a real one in internal/config/environments.go", name, v))
			}
		}
		for i, v := range urls[field] {
			if u, err := url.Parse(v); err == nil && exampleDomain(u.Hostname()) {
				out = append(out, fmt.Sprintf("%s[%d] %s is an example URL: set a real one in internal/config/environments.go", field, i, v))
			}
		}
	}
	if d := env.API.CustomDomain; d != nil && exampleDomain(d.Name) {
		out = append(out, fmt.Sprintf("API.CustomDomain.Name %s is an example domain: set the API's own name in internal/config/environments.go", d.Name))
	}
	return out
}
