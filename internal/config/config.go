// Package config holds the typed, validated settings of each deployment
// environment (dev, staging, prod). Only app.go chooses which environments
// to build; everything else receives an Environment value.
//
// The settings speak the constructs' vocabulary: where a construct has a
// setting, the field has its name, its unit and, for plain values, its type
// from constructs/settings (API is restapi.Settings, Alarms.Thresholds is
// monitoring.Thresholds, durations are time.Duration). The package links no
// CDK, so tools that only read a configuration (preflight) stay small.
// stacks/settings.go maps every field onto construct props, and a test
// (test/settings_test.go) proves that each field reaches the template.
//
// The package's files: environment.go (the types), environments.go (the
// values), validate.go (the rules), names.go (names derived from an
// environment).
package config

import (
	"errors"
	"fmt"
	"strings"
)

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
