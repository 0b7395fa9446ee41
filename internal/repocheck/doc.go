// Package repocheck holds tests of the repository as a whole rather than of
// one package: that the paths Go comments name exist, and that the versions
// named to consumers are the ones pinned here. It has no API.
package repocheck
