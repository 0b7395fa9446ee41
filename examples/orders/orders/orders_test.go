package orders

import (
	"testing"
)

func TestTheCreateSchemaAcceptsAnOrderAndRejectsABadOne(t *testing.T) {
	var o Order
	if err := createSchema.Decode([]byte(`{"customerId":"CUST-01JDZ8Q6ZV5X3B9N2M4K7T1R0A","items":[{"sku":"BOOK-1","quantity":2}]}`), &o); err != nil {
		t.Fatalf("valid order rejected: %v", err)
	}
	if len(o.Items) != 1 || o.Items[0].Quantity != 2 {
		t.Errorf("decoded %+v", o)
	}
	for _, bad := range []string{`{"customerId":"x","items":[]}`, `{"customerId":"CUST-01JDZ8Q6ZV5X3B9N2M4K7T1R0A","items":[{"sku":"B","quantity":0}]}`, `{}`} {
		if err := createSchema.Decode([]byte(bad), &o); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
