package changes

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/acme/customers-api/internal/customers/schemas"
	"github.com/acme/customers-api/lambdakit/validate"
)

var eventSchema = validate.MustCompile(schemas.FS, schemas.Event)

// Any stream record, however malformed its images, maps without a panic to
// events that each validate against the published envelope schema, with
// ids that are the same when the record is mapped again (a replay).
func FuzzMap(f *testing.F) {
	for _, rec := range batch(f).Records {
		b, _ := json.Marshal(rec)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, record []byte) {
		var rec events.DynamoDBEventRecord
		if json.Unmarshal(record, &rec) != nil {
			return
		}
		evs, err := Map(rec)
		if err != nil {
			return // reported as a batch failure by the publisher
		}
		again, _ := Map(rec)
		for i, ev := range evs {
			doc, _ := json.Marshal(ev)
			var v any
			json.Unmarshal(doc, &v)
			if err := eventSchema.Check(v, ""); err != nil {
				t.Errorf("event %d of %s does not match the schema: %v\n%s", i, record, err, doc)
			}
			if i >= len(again) || again[i].ID != ev.ID {
				t.Errorf("mapping the record again changed event %d's id", i)
			}
		}
	})
}
