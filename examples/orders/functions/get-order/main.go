// Command get-order is the Lambda function behind GET /orders/{id}.
package main

import "github.com/acme/customers-api/examples/orders/orders"

func main() { orders.Main((*orders.Handlers).Get) }
