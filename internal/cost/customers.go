package cost

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/acme/customers-api/internal/config"
	td "github.com/acme/customers-api/internal/customers/tabledesign"
)

// Item sizes as DynamoDB counts them (attribute names and values): a
// customer item with its key, index and audit attributes, and the e-mail
// claim item; a list page is read from ListShards index partitions.
const (
	CustomerItemBytes = 600
	ClaimItemBytes    = 160
	ListPageItems     = 20
	listIndexes       = 2 // the customer item is projected into the list and status indexes
)

// Mix is the share of each operation. The seed states no mix; this is an
// assumption: a read-heavy API, 85% reads.
var Mix = map[string]float64{"get": 0.70, "list": 0.15, "create": 0.08, "update": 0.06, "delete": 0.01}

// CustomersOperations is the unit model of each operation, from the store's
// writes (internal/customers/store), at the handler durations given in
// milliseconds by operation name.
func CustomersOperations(millis map[string]float64) ([]Operation, error) {
	customerTxnWrite := WriteUnits(CustomerItemBytes, true)
	claimTxnWrite := WriteUnits(ClaimItemBytes, true)
	indexWrites := listIndexes * WriteUnits(CustomerItemBytes, false)
	consistentGet := ReadUnits(CustomerItemBytes, true)
	shardQuery := ReadUnits(ListPageItems*CustomerItemBytes, false)
	ops := []Operation{
		// GetItem, strongly consistent.
		{Name: "get", ReadUnits: consistentGet, ItemsTouched: 1},
		// One eventually consistent query per list shard, a page each.
		{Name: "list", ReadUnits: td.ListShards * shardQuery, ItemsTouched: td.ListShards * ListPageItems},
		// A transaction: put the customer, claim its e-mail; then both indexes.
		{Name: "create", WriteUnits: customerTxnWrite + claimTxnWrite + indexWrites, ItemsTouched: 2 + listIndexes, Events: 1},
		// Read, then a conditional update keeping the e-mail; both indexes
		// rewrite the item. About one update in five changes the status,
		// which adds a status-changed event.
		{Name: "update", ReadUnits: consistentGet, WriteUnits: WriteUnits(CustomerItemBytes, false) + indexWrites, ItemsTouched: 2 + listIndexes, Events: 1.2},
		// Read, then a transaction deleting the customer and its claim;
		// both index entries go.
		{Name: "delete", ReadUnits: consistentGet, WriteUnits: customerTxnWrite + claimTxnWrite + indexWrites, ItemsTouched: 3 + listIndexes, Events: 1},
	}
	for i := range ops {
		ms, ok := millis[ops[i].Name]
		if !ok {
			return nil, fmt.Errorf("cost: no duration for %s", ops[i].Name)
		}
		ops[i].LambdaMillis, ops[i].Share = ms, Mix[ops[i].Name]
	}
	return ops, nil
}

// CustomersEnvironment counts what an environment pays for by the month
// from its synthesized templates (snapshots named Customers-<env>-*.json in
// dir) and its configuration.
func CustomersEnvironment(dir, name string) (Environment, error) {
	cfg, err := config.Lookup(name)
	if err != nil {
		return Environment{}, err
	}
	env := Environment{Name: name, MemoryMB: cfg.Lambda.MemoryMB}
	files, err := filepath.Glob(filepath.Join(dir, "Customers-"+name+"-*.json"))
	if err != nil {
		return env, err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return env, err
		}
		var t struct {
			Resources map[string]struct {
				Type       string
				Properties struct {
					MetricName string
					Metrics    []struct{ MetricStat any }
					Rules      []any
					Targets    []any
				}
			}
		}
		if json.Unmarshal(b, &t) != nil || t.Resources == nil {
			continue // not a template (the dashboard body)
		}
		for _, r := range t.Resources {
			p := r.Properties
			switch r.Type {
			case "AWS::CloudWatch::Alarm":
				if p.MetricName != "" {
					env.AlarmMetrics++
				}
				for _, m := range p.Metrics {
					if m.MetricStat != nil {
						env.AlarmMetrics++
					}
				}
			case "AWS::CloudWatch::CompositeAlarm":
				env.CompositeAlarms++
			case "AWS::CloudWatch::Dashboard":
				env.Dashboards++
			case "AWS::KMS::Key":
				env.KMSKeys++
			case "AWS::WAFv2::WebACL":
				env.WAFRules += len(p.Rules)
			case "AWS::Events::Rule":
				// Every event is counted at every target: an upper bound.
				env.EventTargets += float64(len(p.Targets))
			}
		}
	}
	return env, nil
}
