// Package repocheck holds tests of the repository as a whole rather than of
// one package: that the paths Go comments name exist, that the versions
// named to consumers are the ones pinned here, that each operation's main
// package calls the handler of that operation, and that the README's code
// map is what the source says. It has no API.
package repocheck
