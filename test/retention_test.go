package test

import (
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/acme/customers-api/stacks"
)

// sqsDefaultRetention is MessageRetentionPeriod when a queue does not set
// it: 345,600 seconds, 4 days (SQS API Reference, CreateQueue).
const sqsDefaultRetention = 4 * 24 * time.Hour

// promise reads a number of days from the README's sentence matching
// pattern, the recovery time the README promises.
func promise(t *testing.T, pattern string) time.Duration {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(pattern).FindSubmatch(readme)
	if m == nil {
		t.Fatalf("the README no longer says %q", pattern)
	}
	days, _ := strconv.Atoi(string(m[1]))
	return time.Duration(days) * 24 * time.Hour
}

// Every dead-letter queue keeps a message longer than its source queue: a
// message keeps its first enqueue time in the DLQ of a standard queue and
// expires by it ("Setting-up dead-letter queue retention in Amazon SQS").
// The queues and DLQs keep messages as long as the README promises: the
// forwarder or a consumer may be down that long, and a dead letter may be
// redriven that much longer. Walked: every queue's redrive policy, every SNS
// subscription's, every EventBridge target's DLQ and every event source
// mapping's on-failure destination, in every stack of every environment.
func TestNoQueueLosesAMessageBeforeTheRecoveryTheREADMEPromises(t *testing.T) {
	outage := promise(t, `may be down for up to (\d+) days without losing an\s+event`)
	redrive := promise(t, `can be redriven for at least (\d+) more days`)
	allStacks(t, func(t *testing.T, s *stacks.Deployment, stack awscdk.Stack) {
		resources := (*template(stack).ToJSON())["Resources"].(map[string]any)
		retention := map[string]time.Duration{}
		for id, r := range resources {
			if r := r.(map[string]any); r["Type"] == "AWS::SQS::Queue" {
				retention[id] = sqsDefaultRetention
				if p, ok := r["Properties"].(map[string]any)["MessageRetentionPeriod"].(float64); ok {
					retention[id] = time.Duration(p) * time.Second
				}
			}
		}
		// dlq is the queue a dead-letter setting names (a GetAtt of its Arn).
		dlq := func(owner string, v any) string {
			named := refs(v, resources)
			if len(named) != 1 {
				t.Fatalf("%s: dead-letter setting %v names %d resources", owner, v, len(named))
			}
			if _, ok := retention[named[0]]; !ok {
				t.Fatalf("%s: dead-letter target %s is not a queue of this stack", owner, named[0])
			}
			return named[0]
		}
		dlqs := map[string]bool{}
		sources := map[string]string{} // source queue -> its DLQ
		for id, r := range resources {
			r := r.(map[string]any)
			p, _ := r["Properties"].(map[string]any)
			switch r["Type"] {
			case "AWS::SQS::Queue":
				if rp, ok := p["RedrivePolicy"].(map[string]any); ok {
					sources[id] = dlq(id, rp["deadLetterTargetArn"])
					dlqs[sources[id]] = true
				}
			case "AWS::SNS::Subscription":
				if rp, ok := p["RedrivePolicy"].(map[string]any); ok {
					dlqs[dlq(id, rp["deadLetterTargetArn"])] = true
				}
			case "AWS::Events::Rule":
				for _, target := range p["Targets"].([]any) {
					if c, ok := target.(map[string]any)["DeadLetterConfig"].(map[string]any); ok {
						dlqs[dlq(id, c["Arn"])] = true
					}
				}
			case "AWS::Lambda::EventSourceMapping":
				if d, ok := p["DestinationConfig"].(map[string]any); ok {
					dlqs[dlq(id, d["OnFailure"].(map[string]any)["Destination"])] = true
				}
			}
		}
		for q, ret := range retention {
			switch {
			case dlqs[q] && ret < redrive:
				t.Errorf("DLQ %s keeps a message %v, less than the %v the README promises for a redrive", q, ret, redrive)
			case !dlqs[q] && ret < outage:
				t.Errorf("queue %s keeps a message %v: a consumer down for the %v the README allows loses events", q, ret, outage)
			}
		}
		for src, d := range sources {
			if retention[d]-retention[src] < redrive {
				t.Errorf("queue %s keeps a message %v and its DLQ %s %v: a message moved at the end of its retention can be redriven for %v, not the %v the README promises",
					src, retention[src], d, retention[d], retention[d]-retention[src], redrive)
			}
		}
		if len(retention) > 0 && len(dlqs) == 0 {
			t.Errorf("%d queues and no dead-letter setting found", len(retention))
		}
	})
}
