package tabledesign_test

import (
	"testing"
	"time"

	td "github.com/acme/customers-api/internal/customers/tabledesign"
	"github.com/acme/customers-api/lambdakit/idempotency"
)

// The idempotency toolkit is public and cannot import the table design, so
// this test holds the two to one layout.
func TestTheIdempotencyRecordsFitTheTable(t *testing.T) {
	for name, pair := range map[string][2]string{
		"partition key": {idempotency.PartitionKey, td.PartitionKey},
		"sort key":      {idempotency.SortKey, td.SortKey},
		"TTL attribute": {idempotency.TTLAttribute, td.TTLAttribute},
		"key prefix":    {idempotency.KeyPrefix, td.IdempotencyPrefix},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s: idempotency uses %q, the table %q", name, pair[0], pair[1])
		}
	}
}

func TestListPositionsSortByCreationAndMatchTheirPattern(t *testing.T) {
	early := td.ListPosition(time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.FixedZone("x", 3600)), "CUST-01J00000000000000000000000")
	late := td.ListPosition(time.Date(2026, 1, 2, 3, 4, 5, 7e6, time.UTC), "CUST-01J00000000000000000000000")
	if early >= late {
		t.Errorf("%s does not sort before %s", early, late)
	}
	if early != "2026-01-02T02:04:05.006Z#CUST-01J00000000000000000000000" {
		t.Errorf("position %s is not in UTC with milliseconds", early)
	}
	for _, p := range []string{early, late} {
		if !td.ListPositionPattern.MatchString(p) {
			t.Errorf("%s does not match ListPositionPattern", p)
		}
	}
	for _, bad := range []string{"", "2026-01-02T02:04:05Z#CUST-01J00000000000000000000000", early + "x", "2026-01-02T02:04:05.006Z#ORDER-1"} {
		if td.ListPositionPattern.MatchString(bad) {
			t.Errorf("%q matches ListPositionPattern", bad)
		}
	}
	if got := td.LeadingKeys(td.CustomerPrefix, td.EmailPrefix); len(got) != 2 || got[0] != "CUSTOMER#*" || got[1] != "EMAIL#*" {
		t.Errorf("LeadingKeys = %v", got)
	}
}
