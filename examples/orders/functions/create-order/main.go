// Command create-order is the Lambda function behind POST /orders.
package main

import "github.com/acme/customers-api/examples/orders/orders"

func main() { orders.Main((*orders.Handlers).Create) }
