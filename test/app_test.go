package test

import (
	"strings"
	"testing"

	"github.com/acme/customers-api/config"
	"github.com/acme/customers-api/stacks"
)

func TestAnInvalidEnvironmentStopsSynthNamingTheEnvironmentAndField(t *testing.T) {
	staging, err := config.Lookup("staging")
	if err != nil {
		t.Fatal(err)
	}
	staging.LogRetentionDays = -1
	app, err := newTestApp(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, err = stacks.NewApp(app, []config.Environment{staging})
	if want := `environment "staging": LogRetentionDays: -1`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("NewApp error = %v, want one containing %q", err, want)
	}
	if n := len(*app.Node().Children()); n != 0 {
		t.Errorf("NewApp added %d constructs despite the invalid configuration", n)
	}
}
