package cdkx

import (
	"slices"
	"testing"

	"github.com/acme/customers-api/constructs/settings"
	"github.com/acme/customers-api/internal/testenv/cdkmain"
)

// The package links jsii, so its tests select the pinned Node.js like
// every other.
func TestMain(m *testing.M) { cdkmain.Run(m) }

// Configuration is validated against settings.RetentionDays without the
// CDK; Retention must accept exactly those days, or a valid configuration
// fails synth (or an invalid one passes validation and fails later).
func TestRetentionKnowsExactlyTheDaysSettingsAccepts(t *testing.T) {
	var days []int
	for d := range retention {
		days = append(days, d)
	}
	slices.Sort(days)
	if !slices.Equal(days, settings.RetentionDays) {
		t.Errorf("Retention knows %v, settings.RetentionDays is %v", days, settings.RetentionDays)
	}
}
