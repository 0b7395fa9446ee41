// Command authorize-partner is the Lambda authorizer of the partner routes.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/acme/customers-api/examples/orders/orders"
)

func main() {
	a, err := orders.NewPartnerAuthorizer(os.Getenv(orders.PartnerTokensEnv), os.Getenv(orders.SuspendedPartnersEnv))
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(a.Authorize)
}
