// Package jsiinode makes jsii, and any node that CDK starts, run the
// repository's pinned Node.js (node_modules/.bin/node) instead of the
// machine's. Its init does it, so linking the package into a binary is enough;
// internal/testenv imports it, so every test that imports testenv (directly or
// through testenv/cdkmain) gets it.
//
// The init must run before the first jsii call, and some packages call jsii
// in their own package initialization (constructs/restapi's GatewayResponses,
// for one, calls awsapigateway.ResponseType_BAD_REQUEST_BODY in a package-level
// variable, which starts the jsii kernel). The Go specification's "Package
// initialization" section (https://go.dev/ref/spec#Package_initialization)
// fixes the order: "Given the list of all packages, sorted by import path, in
// each step the first uninitialized package in the list for which all imports
// (if any) are already initialized is initialized." So this package
// initializes before github.com/aws/jsii-runtime-go, and therefore before every
// package that can call jsii, as long as
//
//   - its import path sorts before github.com/aws/jsii-runtime-go (it does:
//     github.com/acme < github.com/aws), and
//   - every package it imports, directly or not, is also imported by
//     jsii-runtime-go: then it is ready no later than jsii-runtime-go, and wins
//     the tie by its path.
//
// TestImportsAreASubsetOfJsiisRuntime checks the second condition: importing
// anything else (net, say, as internal/testenv does) lets a package such as
// constructs/restapi start jsii on the machine's Node.js first.
// TestEveryBinaryThatLinksJsiiLinksThisPackage checks that every test binary
// and command that links jsii links this package too.
package jsiinode

import (
	"fmt"
	"os"
	"path/filepath"
)

var setupErr = UseProjectNode()

// Setup reports whether the pinned Node.js was selected at init: nil, or
// the error of UseProjectNode (the repository root or node_modules/.bin/node
// was not found).
func Setup() error { return setupErr }

// Root returns the repository root: the nearest directory above the working
// directory that holds package-lock.json next to go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if exists(filepath.Join(d, "go.mod")) && exists(filepath.Join(d, "package-lock.json")) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("testenv: no repository root above %s", dir)
		}
	}
}

// UseProjectNode sets JSII_NODE to the repository's node_modules/.bin/node
// and puts that directory first on PATH. It fails when the tools are not
// installed (`make tools`).
func UseProjectNode() error {
	root, err := Root()
	if err != nil {
		return err
	}
	bin := filepath.Join(root, "node_modules", ".bin")
	if !exists(filepath.Join(bin, "node")) {
		return fmt.Errorf("testenv: %s/node is missing: run `make tools` (or `make test`) first", bin)
	}
	if err := os.Setenv("JSII_NODE", filepath.Join(bin, "node")); err != nil {
		return err
	}
	return os.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
