package ddbmeter

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Sizes worked by hand from CapacityUnitCalculations.html.
func TestSizeFollowsDynamoDBsItemSizeRules(t *testing.T) {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	for _, tc := range []struct {
		name string
		item map[string]types.AttributeValue
		want int
	}{
		{"string", map[string]types.AttributeValue{"pk": s("abc")}, 2 + 3},
		{"number: five significant digits", map[string]types.AttributeValue{"n": &types.AttributeValueMemberN{Value: "-0123.4500"}}, 1 + 3 + 1},
		{"boolean", map[string]types.AttributeValue{"ok": &types.AttributeValueMemberBOOL{Value: true}}, 2 + 1},
		{"list: 3 bytes, elements, a byte each", map[string]types.AttributeValue{"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("a"), s("bc")}}}, 1 + 3 + (1 + 1) + (2 + 1)},
		{"map: keys count", map[string]types.AttributeValue{"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"key": s("v")}}}, 1 + 3 + (3 + 1 + 1)},
	} {
		if got := Size(tc.item); got != tc.want {
			t.Errorf("%s: %d bytes, want %d", tc.name, got, tc.want)
		}
	}
}

// Calls that overlap count once in sequence; calls after one another each.
func TestSequentialCountsOnlyCallsThatWaitForEachOther(t *testing.T) {
	at := func(ms int) time.Time { return time.Unix(0, 0).Add(time.Duration(ms) * time.Millisecond) }
	calls := []Call{
		{Operation: "GetItem", Start: at(0), End: at(10)},
		{Operation: "Query", Start: at(11), End: at(20)},
		{Operation: "Query", Start: at(12), End: at(25)}, // parallel with the first query
		{Operation: "TransactWriteItems", Start: at(26), End: at(30)},
	}
	s, err := Summarize(calls)
	if err != nil || s.Sequential != 3 || s.Total != 4 {
		t.Errorf("Summarize = %d in sequence, %d in all, %v; want 3 and 4", s.Sequential, s.Total, err)
	}
	if _, err := Summarize([]Call{{Operation: "BatchWriteItem", Unknown: true}}); err == nil {
		t.Error("an unknown operation was priced")
	}
}
