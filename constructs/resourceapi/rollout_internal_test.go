package resourceapi

import (
	"slices"
	"testing"

	"github.com/acme/customers-api/constructs/settings"
)

// Configuration validates Rollout.Strategy against settings.Strategies
// without the CDK; each must have a CodeDeploy configuration here, and
// nothing else may ("" is the default, a canary).
func TestEveryStrategyHasADeploymentConfiguration(t *testing.T) {
	want := append([]settings.Strategy{""}, settings.Strategies...)
	var got []settings.Strategy
	for s := range rolloutConfigs {
		got = append(got, s)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("rollout configurations for %q, want %q", got, want)
	}
}
