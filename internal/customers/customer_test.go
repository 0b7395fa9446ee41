package customers

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acme/customers-api/lambdakit/validate"
)

func TestDecodeCreateNormalizes(t *testing.T) {
	got, err := DecodeCreate([]byte(`{"name":"  Ada Lovelace ","email":"Ada@Example.COM"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Draft{Name: "Ada Lovelace", Email: "ada@example.com", Status: Active}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DecodeCreate (-want +got):\n%s", diff)
	}
}

func TestDecodeRejectsInvalidBodiesWithoutQuotingThem(t *testing.T) {
	long := strings.Repeat("x", 201)
	for _, tc := range []struct {
		name, body string
		update     bool
		want       validate.Errors
	}{
		{"not JSON", `{"name":`, false, validate.Errors{{Pointer: "", Detail: "is not a valid JSON document"}}},
		{"not an object", `[]`, false, validate.Errors{{Pointer: "", Detail: "must be of type object"}}},
		{"missing fields", `{}`, false, validate.Errors{{Pointer: "/email", Detail: "is required"}, {Pointer: "/name", Detail: "is required"}}},
		{"unknown field", `{"name":"A","email":"a@b.co","vip":true}`, false, validate.Errors{{Pointer: "/vip", Detail: "is not allowed"}}},
		{"blank name", `{"name":"   ","email":"a@b.co"}`, false, validate.Errors{{Pointer: "/name", Detail: "does not have the expected format"}}},
		{"long name", `{"name":"` + long + `","email":"a@b.co"}`, false, validate.Errors{{Pointer: "/name", Detail: "must be at most 200 characters"}}},
		{"bad email", `{"name":"A","email":"secret-address"}`, false, validate.Errors{{Pointer: "/email", Detail: "does not have the expected format"}}},
		{"email the schema passes but the handler rejects", `{"name":"A","email":"a@b..co"}`, false, validate.Errors{{Pointer: "/email", Detail: errDomain.Error()}}},
		{"bad status", `{"name":"A","email":"a@b.co","status":"GONE"}`, false, validate.Errors{{Pointer: "/status", Detail: "must be one of [ACTIVE INACTIVE SUSPENDED]"}}},
		{"wrong type", `{"name":5,"email":"a@b.co"}`, false, validate.Errors{{Pointer: "/name", Detail: "must be of type string"}}},
		{"update needs status", `{"name":"A","email":"a@b.co"}`, true, validate.Errors{{Pointer: "/status", Detail: "is required"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			decode := DecodeCreate
			if tc.update {
				decode = DecodeUpdate
			}
			_, err := decode([]byte(tc.body))
			var got validate.Errors
			if !errors.As(err, &got) {
				t.Fatalf("err = %v, want validate.Errors", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if strings.Contains(err.Error(), "secret-address") {
				t.Errorf("error quotes the rejected value: %v", err)
			}
		})
	}
}

func TestIDsAreSortableByCreationTime(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b := NewID(t0), NewID(t0.Add(time.Millisecond))
	for _, id := range []string{a, b} {
		if err := CheckPath(map[string]string{"id": id}); err != nil {
			t.Errorf("NewID gave %q, which the path schema rejects: %v", id, err)
		}
	}
	if a >= b {
		t.Errorf("%q should sort before %q", a, b)
	}
	for _, bad := range []string{"", "CUST-", "CUST-123", "cust-01ARZ3NDEKTSV4RRFFQ69G5FAV", "CUST-01ARZ3NDEKTSV4RRFFQ69G5FAVX", "CUST-01ARZ3NDEKTSV4RRFFQ69G5FAU"} {
		if CheckPath(map[string]string{"id": bad}) == nil {
			t.Errorf("the path schema accepts %q", bad)
		}
	}
}

// The name's limit applies to the name as sent (API Gateway checks the same
// schema); what is stored is trimmed.
func TestTheNameLimitIsOnTheNameAsSentAndItIsStoredTrimmed(t *testing.T) {
	d, err := DecodeCreate([]byte(`{"name":"  Ada  ","email":"ada@example.com"}`))
	if err != nil || d.Name != "Ada" {
		t.Errorf("got %+v, %v", d, err)
	}
	long := strings.Repeat("x", 199)
	if _, err := DecodeCreate([]byte(`{"name":"` + long + `","email":"a@example.com"}`)); err != nil {
		t.Errorf("199 characters refused: %v", err)
	}
	if _, err := DecodeCreate([]byte(`{"name":"  ` + long + `","email":"a@example.com"}`)); err == nil {
		t.Error("201 characters as sent (199 after trimming) accepted: API Gateway would refuse them")
	}
}

// RFC 3339 allows any number of fraction digits; the API always writes
// three, so that clients comparing the strings get the order of the times.
func TestDatesAlwaysHaveThreeFractionDigitsAndSortAsStrings(t *testing.T) {
	base := time.Date(2026, 3, 1, 12, 0, 10, 0, time.UTC)
	var prev string
	for _, tc := range []struct {
		offset time.Duration
		want   string
	}{
		{0, "2026-03-01T12:00:10.000Z"},
		{500 * time.Millisecond, "2026-03-01T12:00:10.500Z"},
		{530 * time.Millisecond, "2026-03-01T12:00:10.530Z"},
		{531 * time.Millisecond, "2026-03-01T12:00:10.531Z"},
		{531*time.Millisecond + 900*time.Microsecond, "2026-03-01T12:00:10.531Z"},
		{time.Second, "2026-03-01T12:00:11.000Z"},
	} {
		at := base.Add(tc.offset)
		b, err := json.Marshal(Customer{ID: "CUST-1", CreatedDate: at, UpdatedDate: at.In(time.FixedZone("CET", 3600))})
		if err != nil {
			t.Fatal(err)
		}
		var got struct{ CreatedDate, UpdatedDate string }
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if got.CreatedDate != tc.want || got.UpdatedDate != tc.want {
			t.Errorf("%v written as %s", at, b)
		}
		if got.CreatedDate < prev {
			t.Errorf("%s sorts before the earlier %s", got.CreatedDate, prev)
		}
		prev = got.CreatedDate
		var back Customer
		if err := json.Unmarshal(b, &back); err != nil || !back.CreatedDate.Equal(at.Truncate(time.Millisecond)) {
			t.Errorf("%s reads back as %v, %v", b, back.CreatedDate, err)
		}
	}
}
