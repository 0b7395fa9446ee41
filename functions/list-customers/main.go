// Command list-customers is the Lambda function behind GET /customers.
package main

import (
	"github.com/acme/customers-api/internal/customers/contract"
	"github.com/acme/customers-api/internal/customers/handlers"
)

func main() { handlers.Main(contract.List) }
