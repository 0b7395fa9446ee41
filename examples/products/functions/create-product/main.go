// Command create-product is the Lambda function behind POST /products.
package main

import "github.com/acme/products-api/products"

func main() { products.Main((*products.Handlers).Create) }
