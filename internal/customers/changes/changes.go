// Package changes turns the customers table's stream records into customer
// business events: customer.created, customer.updated (with the changed
// fields), customer.status-changed (also, when the status changed) and
// customer.deleted. Records of other item types give no events.
package changes

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/acme/customers-api/internal/customers"
	"github.com/acme/customers-api/internal/customers/contract"
	"github.com/acme/customers-api/internal/customers/store"
	td "github.com/acme/customers-api/internal/customers/tabledesign"
	"github.com/acme/customers-api/lambdakit/envelope"
)

// Event types (owned by the contract, which the stacks' rules use too).
const (
	Created       = contract.EventCreated
	Updated       = contract.EventUpdated
	Deleted       = contract.EventDeleted
	StatusChanged = contract.EventStatusChanged
)

// Envelope constants.
const (
	Source     = "/customers"
	DataSchema = "urn:acme:customers:event:v1"
)

// Data is the data of a customer event.
type Data struct {
	Customer       customers.Customer `json:"customer"`
	ChangedFields  []string           `json:"changedFields,omitempty"`
	PreviousStatus customers.Status   `json:"previousStatus,omitempty"`
}

// Map returns the events of one stream record, in order.
func Map(rec events.DynamoDBEventRecord) ([]envelope.Event, error) {
	oldImg, newImg := store.Image(rec.Change.OldImage), store.Image(rec.Change.NewImage)
	if newImg.ItemType() != td.TypeCustomer && oldImg.ItemType() != td.TypeCustomer {
		return nil, nil
	}
	switch events.DynamoDBOperationType(rec.EventName) {
	case events.DynamoDBOperationTypeInsert:
		c, err := customer(newImg)
		if err != nil {
			return nil, err
		}
		ev, err := event(Created, c, c.CreatedDate, newImg.TraceHeader(), Data{Customer: c})
		return []envelope.Event{ev}, err
	case events.DynamoDBOperationTypeModify:
		return modified(oldImg, newImg)
	case events.DynamoDBOperationTypeRemove:
		c, err := customer(oldImg)
		if err != nil {
			return nil, err
		}
		// The delete is version+1 of the customer's history.
		ev, err := envelope.New(envelope.ID(c.ID, strconv.FormatInt(c.Version+1, 10), Deleted), Deleted, Source, c.ID, DataSchema,
			rec.Change.ApproximateCreationDateTime.Time, "", Data{Customer: c})
		return []envelope.Event{ev}, err
	}
	return nil, fmt.Errorf("stream record %s: unknown event name %q", rec.EventID, rec.EventName)
}

func modified(oldImg, newImg store.Image) ([]envelope.Event, error) {
	prev, err := customer(oldImg)
	if err != nil {
		return nil, err
	}
	c, err := customer(newImg)
	if err != nil {
		return nil, err
	}
	var changed []string
	for field, differs := range map[string]bool{"name": prev.Name != c.Name, "email": prev.Email != c.Email, "status": prev.Status != c.Status} {
		if differs {
			changed = append(changed, field)
		}
	}
	slices.Sort(changed)
	ev, err := event(Updated, c, c.UpdatedDate, newImg.TraceHeader(), Data{Customer: c, ChangedFields: changed})
	if err != nil || prev.Status == c.Status {
		return []envelope.Event{ev}, err
	}
	sc, err := event(StatusChanged, c, c.UpdatedDate, newImg.TraceHeader(), Data{Customer: c, PreviousStatus: prev.Status})
	return []envelope.Event{ev, sc}, err
}

func event(typ string, c customers.Customer, at time.Time, trace string, d Data) (envelope.Event, error) {
	return envelope.New(envelope.ID(c.ID, strconv.FormatInt(c.Version, 10), typ), typ, Source, c.ID, DataSchema, at, trace, d)
}

// customer reads a customer item image (store.Image).
func customer(img store.Image) (customers.Customer, error) {
	c, err := img.Customer()
	if err != nil {
		return customers.Customer{}, err
	}
	// An image that is not a whole customer (overwritten by another item
	// type, or corrupted) must not become an event that breaks the
	// published schema: the record fails, and the DLQ keeps it.
	if customers.CheckPath(map[string]string{"id": c.ID}) != nil || c.Name == "" || c.Email == "" || !c.Status.Valid() || c.Version < 1 {
		return customers.Customer{}, fmt.Errorf("customer %q: the image is not a valid customer", c.ID)
	}
	return c, nil
}

// Attributes are the SNS message attributes of a customer event: its type
// (set by the publisher) and the customer's status, for filter policies.
func Attributes(ev envelope.Event) map[string]string {
	var d Data
	if json.Unmarshal(ev.Data, &d) != nil {
		return nil
	}
	return map[string]string{"status": string(d.Customer.Status)}
}

// Current is the event that announced c's current version: customer.created
// for version 1, customer.updated after that. Its id is the id the stream
// publisher gave that event, so re-sending it is harmless; its data lacks
// the changed fields, which only the stream knew.
func Current(c customers.Customer) (envelope.Event, error) {
	if c.Version == 1 {
		return event(Created, c, c.CreatedDate, "", Data{Customer: c})
	}
	return event(Updated, c, c.UpdatedDate, "", Data{Customer: c})
}
