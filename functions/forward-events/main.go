// Command forward-events is the Lambda function on the forwarding queue: it
// puts the events it receives on the EventBridge bus.
package main

import "github.com/acme/customers-api/lambdakit/forwarder"

func main() { forwarder.Main() }
