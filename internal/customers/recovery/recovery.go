// Package recovery is the customers service's side of the event-recovery
// runbook (README, "Recovering lost events"; tools/recover): it re-announces
// the current version of customers whose events may have been lost.
package recovery

import (
	"context"
	"time"

	"github.com/acme/customers-api/internal/customers/changes"
	"github.com/acme/customers-api/internal/customers/store"
	"github.com/acme/customers-api/lambdakit/envelope"
	"github.com/acme/customers-api/lambdakit/outbox"
)

// Reconcile publishes, through p, the current event (changes.Current) of
// every customer of table written in [from, to), and returns how many it
// sent. Re-sent events keep the id the stream publisher gave them, so a
// consumer that already has one sees a duplicate. Errors are the scan's,
// an event's encoding, or p's.
func Reconcile(ctx context.Context, p *outbox.Publisher, db store.ScanAPI, table string, from, to time.Time) (int, error) {
	cs, err := store.UpdatedBetween(ctx, db, table, from, to)
	if err != nil {
		return 0, err
	}
	evs := make([]envelope.Event, 0, len(cs))
	for _, c := range cs {
		ev, err := changes.Current(c)
		if err != nil {
			return 0, err
		}
		evs = append(evs, ev)
	}
	return len(evs), p.Publish(ctx, evs)
}
