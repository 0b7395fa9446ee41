package initjsii

import "testing"

func TestTheKernelStartedAtInitAnswers(t *testing.T) {
	if got := *Minute.ToMinutes(nil); got != 1 {
		t.Errorf("Duration_Seconds(60).ToMinutes() = %v, want 1", got)
	}
}
