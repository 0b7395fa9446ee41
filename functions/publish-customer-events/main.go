// Command publish-customer-events is the Lambda function on the customers
// table's stream: it publishes customer events to the events topic.
package main

import (
	"github.com/acme/customers-api/internal/customers/changes"
	"github.com/acme/customers-api/lambdakit/outbox"
)

func main() { outbox.Main(changes.Map, changes.Attributes) }
