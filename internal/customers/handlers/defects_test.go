package handlers_test

// One test per defect found by adversarial use (issue 12); each failed
// before its fix.

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/acme/customers-api/internal/customers/handlers"
	"github.com/acme/customers-api/lambdakit/httpx"
)

// conflictingUpdates answers every UpdateItem as DynamoDB does while a
// transaction on the same item is in flight.
type conflictingUpdates struct{ handlers.DB }

func (conflictingUpdates) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "TransactionConflictException", Message: "Transaction is ongoing for the item"}
}

// 1. A PUT that meets a DELETE's transaction on the same item.
func TestAPutRacingATransactionIs503WithRetryAfter(t *testing.T) {
	a := newAPIWith(t, func(db handlers.DB) handlers.DB { return conflictingUpdates{db} })
	c := a.mustCreate("A", "a@example.com")
	resp := a.put(c.ID, `"1"`, `{"name":"A2","email":"a@example.com","status":"ACTIVE"}`)
	wantStatus(t, resp, http.StatusServiceUnavailable)
	if resp.Headers["Retry-After"] == "" {
		t.Error("503 without Retry-After")
	}
}

// 2. DynamoDB's own 500s outlast the SDK's retries.
func TestAServerErrorAfterTheSDKsRetriesIs503(t *testing.T) {
	for _, code := range []string{"InternalFailure", "TransactionInProgressException"} {
		status := 500
		if code == "TransactionInProgressException" {
			status = 400
		}
		a := apiAt(t, fakeDynamoDB(t, status, `{"__type":"com.amazonaws.dynamodb.v20120810#`+code+`","message":"m"}`, 0))
		resp := a.create("A", "a@example.com", nil)
		wantStatus(t, resp, http.StatusServiceUnavailable)
		if resp.Headers["Retry-After"] == "" {
			t.Errorf("%s: 503 without Retry-After", code)
		}
	}
}

// committedButLost performs the create transaction, then answers as if the
// connection dropped before the response: the write happened, the caller
// does not know it.
type committedButLost struct {
	handlers.DB
	armed *atomic.Bool
}

func (c committedButLost) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	out, err := c.DB.TransactWriteItems(ctx, in, opts...)
	if err == nil && c.armed.Swap(false) {
		return nil, context.DeadlineExceeded
	}
	return out, err
}

// 4. The retry of a create that committed but never answered gets the
// customer it created, not 409 for its own e-mail address.
func TestRetryingACreateThatCommittedButTimedOutGetsTheOriginal201(t *testing.T) {
	armed := &atomic.Bool{}
	armed.Store(true)
	a := newAPIWith(t, func(db handlers.DB) handlers.DB { return committedButLost{db, armed} })
	key := map[string]string{"Idempotency-Key": "lost-response"}
	wantStatus(t, a.create("A", "a@example.com", key), http.StatusServiceUnavailable)
	retry := a.create("A", "a@example.com", key)
	wantStatus(t, retry, http.StatusCreated)
	created := decode[customer](t, retry)
	found := decode[struct{ Items []customer }](t, a.do(req{method: "GET", path: "/customers", query: map[string]string{"email": "a@example.com"}}))
	if len(found.Items) != 1 || found.Items[0].ID != created.ID {
		t.Errorf("the retry answered %s, the table holds %+v", created.ID, found.Items)
	}
	if replay := a.create("A", "a@example.com", key); decode[customer](t, replay).ID != created.ID {
		t.Error("a later replay names another customer")
	}
}

// withClaims sets the authorizer claims of a user of the web client.
func withClaims(sub, username string) func(*httpx.Request) {
	return func(e *httpx.Request) {
		e.RequestContext.Authorizer = map[string]any{"claims": map[string]any{"sub": sub, "username": username, "client_id": "web-client"}}
	}
}

// 5. Two users of one app client use the same Idempotency-Key.
func TestIdempotencyKeysOfTwoUsersOfOneClientDoNotCollide(t *testing.T) {
	a := newAPI(t)
	key := map[string]string{"Idempotency-Key": "same-key", "Content-Type": "application/json"}
	ada := a.doEvent(req{method: "POST", path: "/customers", headers: key, body: `{"name":"Ada","email":"ada@example.com"}`}, withClaims("u-ada", "ada"))
	bob := a.doEvent(req{method: "POST", path: "/customers", headers: key, body: `{"name":"Bob","email":"bob@example.com"}`}, withClaims("u-bob", "bob"))
	wantStatus(t, ada, http.StatusCreated)
	wantStatus(t, bob, http.StatusCreated)
	if decode[customer](t, bob).Email != "bob@example.com" || bob.Headers["Idempotent-Replayed"] == "true" {
		t.Errorf("Bob was answered %s", bob.Body)
	}
}

// 6. If-Match compares strongly: a weak tag never matches.
func TestAWeakETagDoesNotSatisfyIfMatch(t *testing.T) {
	a := newAPI(t)
	c := a.mustCreate("A", "a@example.com")
	wantStatus(t, a.put(c.ID, `W/"1"`, `{"name":"A2","email":"a@example.com","status":"ACTIVE"}`), http.StatusPreconditionFailed)
	wantStatus(t, a.do(req{method: "DELETE", path: "/customers/" + c.ID, headers: map[string]string{"If-Match": `W/"1"`}}), http.StatusPreconditionFailed)
	wantStatus(t, a.do(req{method: "GET", path: "/customers/" + c.ID}), http.StatusOK)
}

// 7. If-Match sent on two lines: API Gateway keeps the last in headers and
// both in multiValueHeaders; the list matches when any line does.
func TestRepeatedIfMatchLinesAreCombined(t *testing.T) {
	a := newAPI(t)
	c := a.mustCreate("A", "a@example.com")
	resp := a.doEvent(req{method: "PUT", path: "/customers/" + c.ID, headers: map[string]string{"If-Match": `"9"`},
		body: `{"name":"A2","email":"a@example.com","status":"ACTIVE"}`}, func(e *httpx.Request) {
		e.MultiValueHeaders = map[string][]string{"If-Match": {`"1"`, `"9"`}}
	})
	wantStatus(t, resp, http.StatusOK)
}

// movingEmail changes the customer's address right after the e-mail claim
// is read, as a concurrent PUT would.
type movingEmail struct {
	handlers.DB
	move func()
}

func (m movingEmail) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	out, err := m.DB.GetItem(ctx, in, opts...)
	if pk, ok := in.Key["pk"].(*types.AttributeValueMemberS); ok && strings.HasPrefix(pk.Value, "EMAIL#old@") && m.move != nil {
		m.move()
	}
	return out, err
}

// 8. A lookup by e-mail never returns a customer with another address.
func TestLookupByEmailNeverReturnsAnotherAddress(t *testing.T) {
	moving := &movingEmail{}
	a := newAPIWith(t, func(db handlers.DB) handlers.DB { moving.DB = db; return moving })
	plain := a.with(handlers.Deps{})
	c := a.mustCreate("A", "old@example.com")
	moving.move = func() {
		moving.move = nil
		wantStatus(t, plain.put(c.ID, `"1"`, `{"name":"A","email":"new@example.com","status":"ACTIVE"}`), http.StatusOK)
	}
	resp := a.do(req{method: "GET", path: "/customers", query: map[string]string{"email": "old@example.com"}})
	wantStatus(t, resp, http.StatusOK)
	for _, item := range decode[struct{ Items []customer }](t, resp).Items {
		if item.Email != "old@example.com" {
			t.Errorf("?email=old@example.com returned %s", item.Email)
		}
	}
}

// 9. Of 20 identical PUTs at once, in the same millisecond, one wins.
func TestOfTwentyIdenticalConcurrentPutsOneWins(t *testing.T) {
	a := newAPI(t)
	c := a.mustCreate("A", "a@example.com")
	frozen := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	same := a.with(handlers.Deps{Now: func() time.Time { return frozen }})
	statuses := parallel(20, func(int) httpx.Response {
		return same.put(c.ID, `"1"`, `{"name":"Same","email":"a@example.com","status":"ACTIVE"}`)
	})
	if statuses[http.StatusOK] != 1 || statuses[http.StatusPreconditionFailed] != 19 {
		t.Errorf("statuses %v, want one 200 and nineteen 412", statuses)
	}
}

// 10. Lower-casing must not turn one address into another: only ASCII is
// lower-cased, so the long s (U+017F) is not "s". Canonically equivalent
// spellings are one address: the Kelvin sign (U+212A) is K in NFC.
func TestEmailNormalizationOnlyLowersASCII(t *testing.T) {
	a := newAPI(t)
	longS := a.create("Long s", "\u017Fam@example.com", nil)
	wantStatus(t, longS, http.StatusCreated)
	if got := decode[customer](t, longS).Email; got != "\u017Fam@example.com" {
		t.Errorf("stored %q, want the address as sent", got)
	}
	wantStatus(t, a.create("Plain", "SAM@Example.com", nil), http.StatusCreated)
	if got := decode[struct{ Items []customer }](t, a.do(req{method: "GET", path: "/customers", query: map[string]string{"email": "sam@example.com"}})).Items; len(got) != 1 || got[0].Name != "Plain" {
		t.Errorf("sam@example.com finds %+v", got)
	}
	wantStatus(t, a.create("Kelvin", "kelvin@example.com", nil), http.StatusCreated)
	wantStatus(t, a.create("Kelvin sign", "\u212Aelvin@example.com", nil), http.StatusConflict)
}

// 10b. Addresses that differ only by invisible characters are not two
// customers: the one with a zero-width space is refused, naming the field.
func TestAnAddressWithAnInvisibleCharacterIsRefused(t *testing.T) {
	a := newAPI(t)
	a.mustCreate("Ada", "ada@example.com")
	for _, email := range []string{"\u200bada@example.com", "ada@exa\u200dmple.com", "ada\u00ad@example.com"} {
		resp := a.create("Ada", email, nil)
		wantStatus(t, resp, http.StatusBadRequest)
		if p := decode[httpx.Problem](t, resp); len(p.Errors) != 1 || p.Errors[0].Pointer != "/email" {
			t.Errorf("%q: errors %+v, want one for /email", email, p.Errors)
		}
	}
}

// 11. An empty Idempotency-Key is a client error, not "no key".
func TestAnEmptyIdempotencyKeyIs400(t *testing.T) {
	a := newAPI(t)
	resp := a.create("A", "a@example.com", map[string]string{"Idempotency-Key": ""})
	wantStatus(t, resp, http.StatusBadRequest)
	var p struct{ Errors []struct{ Pointer string } }
	json.Unmarshal([]byte(resp.Body), &p)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/header/Idempotency-Key" {
		t.Errorf("problem %s", resp.Body)
	}
}
