// Command recover re-sends customer events that the stream publisher could
// not deliver. The event topic accepts publishes only from the publisher and
// the Api stack's recovery role (output EventRecoveryRoleArn): -role makes
// the tool assume that role with the credentials it finds (an operator of
// the environment's account whose own policy allows sts:AssumeRole on it).
//
//	go run ./tools/recover redrive   -role ARN -topic ARN -queue URL
//	go run ./tools/recover reconcile -role ARN -topic ARN -table NAME -from RFC3339 -to RFC3339
//
// redrive re-reads, from the table's stream, every batch the publisher's
// dead-letter queue points at and publishes its events; it must run within
// the stream's 24-hour retention of the failed records (the publisher gives
// up on a record after its maximum age, well inside that). reconcile
// rebuilds, from the table, the event of the current version of every
// customer written in [from, to): for outages older than the stream's
// retention. Events are idempotent by id, so either can be run again.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/acme/customers-api/internal/customers/changes"
	"github.com/acme/customers-api/internal/customers/recovery"
	"github.com/acme/customers-api/lambdakit/ddb"
	"github.com/acme/customers-api/lambdakit/outbox"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "recover:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "redrive" && args[0] != "reconcile") {
		return errors.New("usage: recover redrive -role ARN -topic ARN -queue URL | recover reconcile -role ARN -topic ARN -table NAME -from TIME -to TIME")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	role := fs.String("role", "", "the recovery role to assume (output EventRecoveryRoleArn); empty: the credentials as found, which the topic refuses unless they are that role's")
	topic := fs.String("topic", "", "the event topic's ARN")
	queue := fs.String("queue", "", "redrive: the publisher's dead-letter queue URL")
	table := fs.String("table", "", "reconcile: the customers table")
	from := fs.String("from", "", "reconcile: start of the range, RFC 3339")
	to := fs.String("to", "", "reconcile: end of the range, RFC 3339")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	if *role != "" {
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), *role, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "tools-recover"
		}))
	}
	p := &outbox.Publisher{SNS: sns.NewFromConfig(cfg), TopicARN: *topic, Map: changes.Map, Attributes: changes.Attributes,
		Logger: slog.New(slog.NewJSONHandler(os.Stderr, nil))}
	if *topic == "" {
		return errors.New("-topic is required")
	}
	if args[0] == "redrive" {
		if *queue == "" {
			return errors.New("-queue is required")
		}
		r, err := p.Redrive(ctx, dynamodbstreams.NewFromConfig(cfg), sqs.NewFromConfig(cfg), *queue)
		fmt.Printf("redrove %d batches, %d records\n", r.Batches, r.Records)
		return err
	}
	start, err1 := time.Parse(time.RFC3339, *from)
	end, err2 := time.Parse(time.RFC3339, *to)
	if *table == "" || err1 != nil || err2 != nil || !start.Before(end) {
		return errors.New("reconcile needs -table and an RFC 3339 range with -from before -to")
	}
	n, err := recovery.Reconcile(ctx, p, ddb.New(cfg), *table, start, end)
	fmt.Printf("re-sent the current event of %d customers\n", n)
	return err
}
