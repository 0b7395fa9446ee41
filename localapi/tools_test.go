package localapi

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeCommand writes an executable script named name into a new directory.
func fakeCommand(t *testing.T, name, script string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTheEmulatorIsFoundByOptionThenVariableThenPath(t *testing.T) {
	byOption, byEnv, onPath := fakeCommand(t, "rie-a", ""), fakeCommand(t, "rie-b", ""), fakeCommand(t, "aws-lambda-rie", "")
	t.Setenv("PATH", filepath.Dir(onPath))
	t.Setenv(RIEEnv, byEnv)
	for _, tc := range []struct{ option, env, want string }{
		{byOption, byEnv, byOption},
		{"", byEnv, byEnv},
		{"", "", onPath},
	} {
		t.Setenv(RIEEnv, tc.env)
		if got, err := findRIE(tc.option); err != nil || got != tc.want {
			t.Errorf("findRIE(%q) with %s=%q = %q, %v; want %q", tc.option, RIEEnv, tc.env, got, err, tc.want)
		}
	}
}

func TestAMissingEmulatorIsOneLineNamingTheFix(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv(RIEEnv, "")
	_, err := findRIE("")
	if err == nil {
		t.Fatal("found an emulator on an empty PATH")
	}
	for _, want := range []string{"Options.RIE", "-rie", RIEEnv, RIEInstall} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is more than one line: %q", err)
	}
}

func TestMotoIsRefusedWithTheFixWhenNeitherAServerNorAPythonWithItIsThere(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	wrongMoto := fakeCommand(t, "python3", "echo 4.0.0\n") // imports fine, wrong version
	noMoto := fakeCommand(t, "python3", "echo \"ModuleNotFoundError: No module named 'moto'\" >&2; exit 1\n")
	for name, tc := range map[string]struct {
		opts Options
		env  map[string]string
		want []string
	}{
		"endpoint down":            {Options{MotoEndpoint: down.URL}, nil, []string{down.URL, MotoEndpointEnv, "-moto-endpoint"}},
		"endpoint down, by env":    {Options{}, map[string]string{MotoEndpointEnv: down.URL}, []string{down.URL, MotoEndpointEnv}},
		"python without moto":      {Options{Python: noMoto}, nil, []string{"No module named 'moto'", PythonEnv, "pip install 'moto[server]==5.2.5'", MotoEndpointEnv}},
		"python with another moto": {Options{}, map[string]string{PythonEnv: wrongMoto}, []string{"moto 4.0.0", "moto[server]==5.2.5", PythonEnv}},
		"no python":                {Options{Python: filepath.Join(t.TempDir(), "python3")}, nil, []string{"-python", PythonEnv}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(MotoEndpointEnv, tc.env[MotoEndpointEnv])
			t.Setenv(PythonEnv, tc.env[PythonEnv])
			var e Env
			_, err := e.startMoto(tc.opts)
			if err == nil {
				e.motoSrv.Stop()
				t.Fatal("started moto")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not name %q: %v", want, err)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is more than one line: %q", err)
			}
		})
	}
}

func TestARunningMotoIsUsedAndLeftRunning(t *testing.T) {
	moto := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/moto-api/" {
			http.NotFound(w, r)
		}
	}))
	defer moto.Close()
	t.Setenv(MotoEndpointEnv, moto.URL)
	t.Setenv(PythonEnv, filepath.Join(t.TempDir(), "no-python")) // must not be needed
	var e Env
	got, err := e.startMoto(Options{})
	if err != nil || got != moto.URL {
		t.Fatalf("startMoto = %q, %v; want %q", got, err, moto.URL)
	}
	if e.motoSrv != nil {
		t.Error("started a moto server of its own, which Close would stop")
	}
}
