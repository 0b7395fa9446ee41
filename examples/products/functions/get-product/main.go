// Command get-product is the Lambda function behind GET /products/{sku}.
package main

import "github.com/acme/products-api/products"

func main() { products.Main((*products.Handlers).Get) }
