// Package eventflow holds the end-to-end tests of the customer events
// pipeline (handlers → table stream → publisher → SNS → SQS → forwarder →
// EventBridge → rule targets) against a moto server. It has no code of its
// own.
package eventflow
