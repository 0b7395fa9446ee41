package localapi

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"

	"github.com/acme/customers-api/internal/motoserver"
)

// The environment variables that locate what the local environment runs
// when Options leaves it unset; tools/local's flags set the same options.
const (
	// RIEEnv names the aws-lambda-rie binary (Options.RIE).
	RIEEnv = "LOCALAPI_RIE"
	// MotoEndpointEnv names a running moto server (Options.MotoEndpoint).
	MotoEndpointEnv = "LOCALAPI_MOTO_ENDPOINT"
	// PythonEnv names the Python that runs moto (Options.Python).
	PythonEnv = "LOCALAPI_PYTHON"
)

// RIEInstall is the command that installs the pinned Lambda Runtime
// Interface Emulator into $(go env GOPATH)/bin; the Makefile's RIE_VERSION
// is the same version (internal/repocheck checks it).
const RIEInstall = "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

// findRIE returns the emulator's path: rie, else $LOCALAPI_RIE, else
// aws-lambda-rie on PATH; or a one-line error naming the fix.
func findRIE(rie string) (string, error) {
	if rie == "" {
		rie = os.Getenv(RIEEnv)
	}
	if rie == "" {
		rie = "aws-lambda-rie"
	}
	path, err := exec.LookPath(rie)
	if err != nil {
		return "", fmt.Errorf("localapi: no Lambda Runtime Interface Emulator (%v): set Options.RIE (tools/local: -rie) or %s to aws-lambda-rie, or put it on PATH with `%s`", err, RIEEnv, RIEInstall)
	}
	return path, nil
}

// startMoto returns the endpoint of the moto server the environment uses:
// the one opts or $LOCALAPI_MOTO_ENDPOINT names, after checking that it
// answers, else one it starts with opts.Python, $LOCALAPI_PYTHON or
// python3. A missing server or Python is a one-line error naming the fix.
func (e *Env) startMoto(opts Options) (string, error) {
	endpoint := opts.MotoEndpoint
	if endpoint == "" {
		endpoint = os.Getenv(MotoEndpointEnv)
	}
	if endpoint != "" {
		// moto's own API answers 200 on /moto-api/ (moto's "Dashboard").
		resp, err := http.Get(endpoint + "/moto-api/")
		if err == nil {
			resp.Body.Close()
		}
		if err != nil || resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("localapi: no moto server answers at %s (Options.MotoEndpoint, -moto-endpoint or %s): start one, or unset both to let Start run its own", endpoint, MotoEndpointEnv)
		}
		return endpoint, nil
	}
	python := opts.Python
	if python == "" {
		python = os.Getenv(PythonEnv)
	}
	if python == "" {
		python = "python3"
	}
	srv, err := motoserver.Start(python)
	if errors.Is(err, motoserver.ErrNoMoto) {
		return "", fmt.Errorf("localapi: %v: set Options.Python (tools/local: -python) or %s to a Python that has it (`pip install '%s'`), or Options.MotoEndpoint (-moto-endpoint) or %s to a running moto server", err, PythonEnv, motoserver.MotoRequirement, MotoEndpointEnv)
	}
	if err != nil {
		return "", err
	}
	e.motoSrv = srv
	return srv.Endpoint, nil
}
