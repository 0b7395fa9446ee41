package changes

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

func batch(t testing.TB) events.DynamoDBEvent {
	t.Helper()
	raw, err := os.ReadFile("testdata/stream-batch.json")
	if err != nil {
		t.Fatal(err)
	}
	var e events.DynamoDBEvent
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestOtherItemTypesGiveNoEvents(t *testing.T) {
	evs, err := Map(batch(t).Records[0])
	if err != nil || len(evs) != 0 {
		t.Errorf("e-mail claim gave %d events, %v", len(evs), err)
	}
}

func TestAStatusChangeGivesAnUpdateAndAStatusChange(t *testing.T) {
	evs, err := Map(batch(t).Records[1])
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Type != Updated || evs[1].Type != StatusChanged {
		t.Fatalf("events %+v", evs)
	}
	var upd, sc Data
	json.Unmarshal(evs[0].Data, &upd)
	json.Unmarshal(evs[1].Data, &sc)
	if diff := cmp.Diff([]string{"name", "status"}, upd.ChangedFields); diff != "" {
		t.Errorf("changed fields (-want +got):\n%s", diff)
	}
	if sc.PreviousStatus != "ACTIVE" || sc.Customer.Status != "SUSPENDED" || sc.Customer.Version != 2 {
		t.Errorf("status change data %+v", sc)
	}
	for _, ev := range evs {
		if ev.TraceParent == "" || ev.Subject != "CUST-01JDZ8Q6ZV5X3B9N2M4K7T1R0A" || ev.Time.Format("15:04") != "10:01" {
			t.Errorf("envelope %+v", ev)
		}
	}
	again, _ := Map(batch(t).Records[1])
	if again[0].ID != evs[0].ID || again[1].ID != evs[1].ID || evs[0].ID == evs[1].ID {
		t.Errorf("ids are not deterministic and distinct: %s %s / %s %s", evs[0].ID, evs[1].ID, again[0].ID, again[1].ID)
	}
}

func TestAnIncompleteImageIsAnError(t *testing.T) {
	rec := batch(t).Records[1]
	delete(rec.Change.NewImage, "version")
	if _, err := Map(rec); err == nil {
		t.Error("a customer image without a version mapped without error")
	}
}

func TestAttributesCarryTheStatus(t *testing.T) {
	evs, _ := Map(batch(t).Records[1])
	if got := Attributes(evs[0])["status"]; got != "SUSPENDED" {
		t.Errorf("status attribute %q", got)
	}
}
