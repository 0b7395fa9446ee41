// Command create-customer is the Lambda function behind POST /customers.
package main

import (
	"github.com/acme/customers-api/internal/customers/contract"
	"github.com/acme/customers-api/internal/customers/handlers"
)

func main() { handlers.Main(contract.Create) }
