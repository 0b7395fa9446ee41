package idempotency_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/acme/customers-api/internal/customers/store/storetest"
	"github.com/acme/customers-api/internal/testenv/moto"
	"github.com/acme/customers-api/lambdakit/httpx"
	"github.com/acme/customers-api/lambdakit/idempotency"
)

var srv *moto.Server

func TestMain(m *testing.M) { moto.TestMain(m, &srv) }

func newStore(t *testing.T) *idempotency.Store {
	db, table := storetest.NewTable(t, srv)
	return idempotency.New(db, table, idempotency.Options{})
}

// counting answers with status and counts its runs.
func counting(runs *atomic.Int32, status int) func(context.Context) httpx.Response {
	return func(context.Context) httpx.Response {
		runs.Add(1)
		return httpx.Response{StatusCode: status, Body: `{"n":1}`, Headers: map[string]string{"Location": "/things/1"}}
	}
}

func TestARepeatedRequestGetsTheFirstResponseWithoutRunningAgain(t *testing.T) {
	s, ctx, runs := newStore(t), context.Background(), &atomic.Int32{}
	r := idempotency.Request{Scope: "client-a POST /things", Key: "k-1", Fingerprint: idempotency.Fingerprint(`{"a":1}`)}
	first, err := s.Do(ctx, r, counting(runs, http.StatusCreated))
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Do(ctx, r, counting(runs, http.StatusCreated))
	if err != nil {
		t.Fatal(err)
	}
	if runs.Load() != 1 {
		t.Errorf("ran %d times, want once", runs.Load())
	}
	if again.StatusCode != first.StatusCode || again.Body != first.Body || again.Headers["Location"] != "/things/1" {
		t.Errorf("replay %+v differs from the first response %+v", again, first)
	}
	if again.Headers[idempotency.HeaderReplayed] != "true" || first.Headers[idempotency.HeaderReplayed] == "true" {
		t.Errorf("replay header: first %q, replay %q", first.Headers[idempotency.HeaderReplayed], again.Headers[idempotency.HeaderReplayed])
	}
}

func TestAKeyReusedWithAnotherBodyOrScopeIsNotAReplay(t *testing.T) {
	s, ctx, runs := newStore(t), context.Background(), &atomic.Int32{}
	r := idempotency.Request{Scope: "client-a", Key: "k-2", Fingerprint: idempotency.Fingerprint(`{"a":1}`)}
	if _, err := s.Do(ctx, r, counting(runs, http.StatusCreated)); err != nil {
		t.Fatal(err)
	}
	other := r
	other.Fingerprint = idempotency.Fingerprint(`{"a":2}`)
	if _, err := s.Do(ctx, other, counting(runs, http.StatusCreated)); !errors.Is(err, idempotency.ErrKeyReused) {
		t.Errorf("another body with the same key: %v, want ErrKeyReused", err)
	}
	otherClient := r
	otherClient.Scope = "client-b"
	if resp, err := s.Do(ctx, otherClient, counting(runs, http.StatusCreated)); err != nil || resp.Headers[idempotency.HeaderReplayed] == "true" {
		t.Errorf("another client's key was a replay: %+v, %v", resp, err)
	}
	if runs.Load() != 2 {
		t.Errorf("ran %d times, want 2 (client a once, client b once)", runs.Load())
	}
}

func TestAServerErrorReleasesTheKeySoTheRetryRuns(t *testing.T) {
	s, ctx, runs := newStore(t), context.Background(), &atomic.Int32{}
	r := idempotency.Request{Scope: "client-a", Key: "k-3", Fingerprint: idempotency.Fingerprint("x")}
	if resp, err := s.Do(ctx, r, counting(runs, http.StatusServiceUnavailable)); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("%+v, %v", resp, err)
	}
	resp, err := s.Do(ctx, r, counting(runs, http.StatusCreated))
	if err != nil || resp.StatusCode != http.StatusCreated || runs.Load() != 2 {
		t.Errorf("retry after a 503: %+v, %v, %d runs; want a fresh 201", resp, err, runs.Load())
	}
}

func TestValidKey(t *testing.T) {
	for key, want := range map[string]bool{"abc-123": true, "": false, "has space": false, string(make([]byte, 300)): false} {
		if got := idempotency.ValidKey(key); got != want {
			t.Errorf("ValidKey(%q) = %v", key, got)
		}
	}
}
