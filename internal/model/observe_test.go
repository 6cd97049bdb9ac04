package model

import (
	"encoding/json"
	"testing"

	"github.com/misend/misend/internal/mail"
)

// What another process learned reaches this one as JSON observations;
// learning those must leave the model exactly as learning the messages.
func TestLearnObservationsAsMessages(t *testing.T) {
	want := fixtureModel()
	var wire [][]byte
	fixtureLearning(true, func(m *Model, x *mail.Message) {
		b, err := json.Marshal(m.Observe(x))
		if err != nil {
			t.Fatal(err)
		}
		wire = append(wire, b)
	})
	got := fixtureLearning(true, func(*Model, *mail.Message) {})
	for _, b := range wire {
		var o Observation
		if err := json.Unmarshal(b, &o); err != nil {
			t.Fatal(err)
		}
		got.LearnObservation(&o)
	}
	sameState(t, want, got)
	// Observations carry nothing of the text.
	for _, b := range wire {
		var fields map[string]any
		json.Unmarshal(b, &fields)
		for _, k := range []string{"Subject", "subject", "Text", "text"} {
			if _, ok := fields[k]; ok {
				t.Fatalf("observation carries %s: %s", k, b)
			}
		}
	}
}
