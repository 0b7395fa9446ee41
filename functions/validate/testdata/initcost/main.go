// Command initcost imports functions/validate and does nothing, so that
// GODEBUG=inittrace=1 shows what importing it costs a cold start.
package main

import _ "github.com/acme/customers-api/functions/validate"

func main() {}
