// Command update-customer is the Lambda function behind PUT /customers/{id}.
package main

import (
	"github.com/acme/customers-api/internal/customers/contract"
	"github.com/acme/customers-api/internal/customers/handlers"
)

func main() { handlers.Main(contract.Update) }
