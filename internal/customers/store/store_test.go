package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/acme/customers-api/internal/customers"
	"github.com/acme/customers-api/internal/customers/store"
	"github.com/acme/customers-api/internal/customers/store/storetest"
	"github.com/acme/customers-api/internal/testenv/moto"
	"github.com/acme/customers-api/lambdakit/ddb"
)

var srv *moto.Server

func TestMain(m *testing.M) { moto.TestMain(m, &srv) }

func newStore(t *testing.T) *store.Store {
	db, table := storetest.NewTable(t, srv)
	return store.New(db, table)
}

var t0 = time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC)

func customer(i int, email string) customers.Customer {
	created := t0.Add(time.Duration(i) * time.Second)
	return customers.Customer{
		ID: customers.NewID(created), Name: fmt.Sprintf("Customer %d", i), Email: email,
		Status: customers.Active, CreatedDate: created, UpdatedDate: created, Version: 1,
	}
}

func TestCreateGetAndFindByEmail(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	c := customer(1, "ada@example.com")
	if err := s.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
	byEmail, err := s.FindByEmail(ctx, "ada@example.com")
	if err != nil || byEmail.ID != c.ID {
		t.Errorf("FindByEmail = %v, %v; want %s", byEmail.ID, err, c.ID)
	}
	if _, err := s.Get(ctx, customers.NewID(t0)); !errors.Is(err, customers.ErrNotFound) {
		t.Errorf("Get(unknown) = %v, want ErrNotFound", err)
	}
}

func TestEmailsAreUniqueAndReleasedOnChangeAndDelete(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	a, b := customer(1, "a@example.com"), customer(2, "b@example.com")
	for _, c := range []customers.Customer{a, b} {
		if err := s.Create(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Create(ctx, customer(3, "a@example.com")); !errors.Is(err, customers.ErrEmailTaken) {
		t.Fatalf("second create with a's e-mail = %v, want ErrEmailTaken", err)
	}
	next := a
	next.Email, next.Version = "b@example.com", 2
	if err := s.Update(ctx, a, next); !errors.Is(err, customers.ErrEmailTaken) {
		t.Fatalf("changing a's e-mail to b's = %v, want ErrEmailTaken", err)
	}
	next.Email = "a2@example.com"
	if err := s.Update(ctx, a, next); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, customer(4, "a@example.com")); err != nil {
		t.Errorf("a's old e-mail was not released: %v", err)
	}
	if err := s.Delete(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, customer(5, "b@example.com")); err != nil {
		t.Errorf("b's e-mail was not released on delete: %v", err)
	}
}

func TestStaleVersionsAreRejected(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	c := customer(1, "a@example.com")
	s.Create(ctx, c)
	next := c
	next.Name, next.Version = "New", 2
	if err := s.Update(ctx, c, next); err != nil {
		t.Fatal(err)
	}
	other := next
	other.Name = "Someone else"
	if err := s.Update(ctx, c, other); !errors.Is(err, customers.ErrVersionMismatch) {
		t.Errorf("update at stale version = %v, want ErrVersionMismatch", err)
	}
	// Another request making the very same change is not this write's
	// retry (an SDK retry re-sends the same request, write token included;
	// see the handlers' retriedUpdates): it is told the version moved.
	if err := s.Update(ctx, c, next); !errors.Is(err, customers.ErrVersionMismatch) {
		t.Errorf("an identical update from another request = %v, want ErrVersionMismatch", err)
	}
	if err := s.Delete(ctx, c); !errors.Is(err, customers.ErrVersionMismatch) {
		t.Errorf("delete at stale version = %v, want ErrVersionMismatch", err)
	}
}

func TestConcurrentUpdatesOfOneVersionHaveOneWinner(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	c := customer(1, "a@example.com")
	s.Create(ctx, c)
	var (
		wg             sync.WaitGroup
		mu             sync.Mutex
		wins, mismatch int
	)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := c
			next.Name, next.Version = fmt.Sprintf("writer %d", i), 2
			err := s.Update(ctx, c, next)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, customers.ErrVersionMismatch):
				mismatch++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || mismatch != 19 {
		t.Errorf("wins=%d mismatches=%d, want 1 and 19", wins, mismatch)
	}
}

func TestListIsNewestFirstAcrossShardsAndPages(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	var want []string
	for i := range 25 {
		c := customer(i, fmt.Sprintf("c%d@example.com", i))
		if i%3 == 0 {
			c.Status = customers.Suspended
		}
		if err := s.Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		want = append([]string{c.ID}, want...)
	}
	var got []string
	q := store.ListQuery{Limit: 7}
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("too many pages")
		}
		p, err := s.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Items {
			got = append(got, c.ID)
		}
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("listing (-want +got):\n%s", diff)
	}
	suspended, err := s.List(ctx, store.ListQuery{Status: customers.Suspended, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(suspended.Items) != 9 || suspended.Next != "" {
		t.Errorf("suspended: %d items, next %q; want 9 and no next page", len(suspended.Items), suspended.Next)
	}
	for _, c := range suspended.Items {
		if c.Status != customers.Suspended {
			t.Errorf("status filter returned %s", c.Status)
		}
	}
}

// A page whose customers all sit on one shard needs more from that shard
// than the first queries ask each for (ShardLimit): it is read again, and
// the page is still the newest, in order, with the next one following.
func TestAShardHoldingMostOfAPageIsReadAgain(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	var want []string
	for i := 0; len(want) < 12; i++ {
		c := customer(i, fmt.Sprintf("c%d@example.com", i))
		if store.Shard(c.ID) != 0 {
			continue
		}
		if err := s.Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		want = append([]string{c.ID}, want...)
	}
	for i := range 5 { // older customers elsewhere
		c := customer(-100-i, fmt.Sprintf("old%d@example.com", i))
		if store.Shard(c.ID) == 0 {
			continue
		}
		if err := s.Create(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	first, err := s.List(ctx, store.ListQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.List(ctx, store.ListQuery{Limit: 10, After: first.Next})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range append(first.Items, second.Items...) {
		got = append(got, c.ID)
	}
	if diff := cmp.Diff(want, got[:min(len(got), 12)]); diff != "" || len(first.Items) != 10 {
		t.Errorf("%d on the first page; the newest 12 (-want +got):\n%s", len(first.Items), diff)
	}
}

// A change of status moves the customer to the new status's listing and
// out of the old one, whether the change keeps the e-mail address (Apply's
// one UpdateItem) or changes it (Update's transaction); every stored field
// reads back as written.
func TestAStatusChangeMovesTheCustomerBetweenStatusListings(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	listed := func(status customers.Status) []string {
		t.Helper()
		p, err := s.List(ctx, store.ListQuery{Status: status, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range p.Items {
			ids = append(ids, c.ID)
		}
		return ids
	}
	for _, newEmail := range []bool{false, true} {
		c := customer(1, fmt.Sprintf("status-%t@example.com", newEmail))
		if err := s.Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		ch := store.Change{ID: c.ID, Name: "Renamed", Email: c.Email, Status: customers.Suspended, Versions: []int64{1}, Updated: t0.Add(time.Hour)}
		if newEmail {
			ch.Email = "moved-" + c.Email
		}
		if _, err := s.Apply(ctx, ch); err != nil {
			t.Fatal(err)
		}
		want := customers.Customer{ID: c.ID, Name: ch.Name, Email: ch.Email, Status: ch.Status, CreatedDate: c.CreatedDate, UpdatedDate: ch.Updated, Version: 2}
		if got, err := s.Get(ctx, c.ID); err != nil || !cmp.Equal(want, got) {
			t.Errorf("e-mail changed %t: stored (-want +got):\n%s%v", newEmail, cmp.Diff(want, got), err)
		}
		if ids := listed(customers.Suspended); !slices.Contains(ids, c.ID) {
			t.Errorf("e-mail changed %t: SUSPENDED listing %v lacks %s", newEmail, ids, c.ID)
		}
		if ids := listed(customers.Active); slices.Contains(ids, c.ID) {
			t.Errorf("e-mail changed %t: ACTIVE listing %v still has %s", newEmail, ids, c.ID)
		}
	}
}

// conflicting answers every transaction as DynamoDB does while another
// transaction is in progress on its items: cancelled, with the reason
// TransactionConflict (see
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-conflict-handling).
type conflicting struct{ store.API }

func (conflicting) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	reasons := make([]types.CancellationReason, len(in.TransactItems))
	for i := range reasons {
		reasons[i].Code = aws.String("TransactionConflict")
	}
	return nil, &types.TransactionCanceledException{Message: aws.String("Transaction cancelled"), CancellationReasons: reasons}
}

// When the deadline comes while a write waits out a conflict, the error is
// still the conflict, with its reasons, for a caller to read (an
// idempotent create answers a duplicate in flight with 409, not 503).
func TestADeadlineDuringAConflictKeepsTheConflict(t *testing.T) {
	s := store.New(conflicting{}, "customers")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Millisecond)
	defer cancel()
	err := s.Create(ctx, customer(1, "ada@example.com"))
	if !ddb.Conflicted(err) {
		t.Errorf("Create = %v, want the TransactionConflict cancellation", err)
	}
	var unavailable *ddb.UnavailableError
	if !errors.As(err, &unavailable) {
		t.Errorf("Create = %v, want an *ddb.UnavailableError (503 when nothing else answers)", err)
	}
}
