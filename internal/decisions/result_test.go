package decisions

import (
	"errors"
	"testing"
	"time"

	"github.com/misend/misend/internal/decide"
)

// TestOf: a decision's record carries its error as text, and the envelope
// sender only where the decision named none.
func TestOf(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		res        decide.Result
		from       string
		wantSender string
		wantErr    string
	}{
		{"named sender", decide.Result{Sender: "sato@corp.example"}, "bounce@corp.example", "sato@corp.example", ""},
		{"envelope stands in", decide.Result{}, "bounce@corp.example", "bounce@corp.example", ""},
		{"fail-safe", decide.Result{Sender: "sato@corp.example", Err: errors.New("deadline")}, "", "sato@corp.example", "deadline"},
	}
	for _, tt := range tests {
		rec := Of(tt.res, "smtp", at, tt.from)
		if rec.Sender != tt.wantSender || rec.Err != tt.wantErr || rec.Via != "smtp" || !rec.At.Equal(at) {
			t.Errorf("%s: %+v", tt.name, rec)
		}
	}
}
