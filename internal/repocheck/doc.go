// Package repocheck holds tests of the repository as a whole rather than of
// one package: that the paths Go comments name exist. It has no API.
package repocheck
