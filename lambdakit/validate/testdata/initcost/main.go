// Command initcost imports lambdakit/validate and does nothing, so that
// GODEBUG=inittrace=1 shows what importing it costs a cold start.
package main

import _ "github.com/acme/customers-api/lambdakit/validate"

func main() {}
