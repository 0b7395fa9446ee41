package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/acme/customers-api/internal/customers/roundtrips"
	"github.com/acme/customers-api/internal/testenv/ddbmeter"
	"github.com/acme/customers-api/internal/testenv/moto"
)

// measureRoundTrips counts each operation's DynamoDB calls against moto.
func measureRoundTrips() ([]roundtrips.Result, error) {
	srv, err := moto.Start()
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	return roundtrips.Measure(context.Background(), srv)
}

// roundTripSection is the table of round trips per operation.
func (r report) roundTripSection(p func(string, ...any)) {
	if len(r.roundTrips) == 0 {
		return
	}
	p("## DynamoDB round trips")
	p("")
	p("Each operation's DynamoDB calls, counted by an SDK middleware on the handlers' client (`internal/testenv/ddbmeter`) against moto, the request prepared first (`internal/customers/roundtrips`): round trips in sequence (calls that overlap, as the list's parallel shard queries do, count once) and calls in all. Before: the same measurement on commit ab5c3a9, before issue 26. Generic wrapper: the same request behind a Powertools-style idempotency layer (`idempotency.Store.Do`: a conditional put of the key before the operation, an update storing the response after it); a keyed create compares with the plain create wrapped. Units: read (RRU) and write (WRU) request units of the table, and index writes, computed from the items' sizes by DynamoDB's documented rules (moto's `ConsumedCapacity` is a constant per call); a cancelled transaction's units are not documented and not counted (†). `make test` fails when a count grows (`internal/customers/roundtrips/testdata/expected.json`).")
	p("")
	p("| operation | before | after (in all) | minimum | generic wrapper | calls | RRU | WRU | index WRU | why the minimum |")
	p("|---|---|---|---|---|---|---|---|---|---|")
	for _, res := range r.roundTrips {
		generic := "—"
		if res.Wrapped != nil {
			generic = fmt.Sprintf("%d (%s)", res.Wrapped.Sequential, strings.Join(res.Wrapped.Operations, " → "))
		}
		dagger := ""
		if res.Unpriced > 0 {
			dagger = " †"
		}
		p("| %s | %d | **%d** (%d) | %d | %s | %s | %.1f | %.1f%s | %.1f | %s |", res.Name, roundtrips.Before[res.Name], res.Sequential, res.Total,
			res.Minimum, generic, calls(res.Summary), res.ReadUnits, res.WriteUnits, dagger, res.IndexWriteUnits, res.Why)
	}
	p("")
}

// calls names a request's calls, collapsing repeats ("Query ×8").
func calls(s ddbmeter.Summary) string {
	var out []string
	for i := 0; i < len(s.Operations); {
		j := i
		for j < len(s.Operations) && s.Operations[j] == s.Operations[i] {
			j++
		}
		if j-i > 1 {
			out = append(out, fmt.Sprintf("%s ×%d", s.Operations[i], j-i))
		} else {
			out = append(out, s.Operations[i])
		}
		i = j
	}
	return strings.Join(out, " → ")
}

// warmP50s reads each function's warm p50 from a BENCHMARKS.md written
// earlier, for a run that prices without timing the functions.
func warmP50s(path string) (map[string]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	row := regexp.MustCompile(`(?m)^\| ([a-z-]+) \| [0-9.]+ MiB \| [0-9.]+ MiB \| [0-9.]+ ms \| ([0-9.]+) ms \|`)
	out := map[string]float64{}
	for _, m := range row.FindAllStringSubmatch(string(b), -1) {
		if out[m[1]], err = strconv.ParseFloat(m[2], 64); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no functions table", path)
	}
	return out, nil
}
