// Package templatetest writes a template for the local environment's
// tests and loads it, in account 123456789012 and region eu-west-1.
package templatetest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/acme/customers-api/localapi/internal/template"
)

// Load writes body as the template of the stack "Stack" into a new
// directory and loads it.
func Load(t testing.TB, body string) *template.Assembly {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Stack.template.json"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := template.Load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	a.Account, a.Region = "123456789012", "eu-west-1"
	return a
}
