package gateway

import (
	"slices"
	"strings"
	"testing"

	"github.com/misend/misend/internal/stamp"
)

func TestStripOurs(t *testing.T) {
	for _, tt := range []struct {
		raw, want string
		stamps    []string
	}{
		{"Subject: x\r\n\r\nX-Misend-Verdict: pass\r\n", "Subject: x\r\n\r\nX-Misend-Verdict: pass\r\n", nil},
		{"X-Misend-Verdict: pass\r\nSubject: x\r\n\r\nbody\r\n", "Subject: x\r\n\r\nbody\r\n", nil},
		{"Subject: x\r\nx-misend-score: 0.00\r\n folded\r\n\tmore\r\nTo: a@b\r\n\r\nbody\r\n", "Subject: x\r\nTo: a@b\r\n\r\nbody\r\n", nil},
		{"Subject: x\r\nX-Misend-Warning: y\r\n", "Subject: x\r\n", nil},
		{"X-Misendx: kept\r\n\r\n", "X-Misendx: kept\r\n\r\n", nil},
		// The stamp is read, unfolded, and stripped with the rest; one in
		// the body is neither.
		{"From: a@b\r\nX-Misend-Confirmed: v=1; s=a\r\n b=2\r\nSubject: x\r\n\r\nX-Misend-Confirmed: body\r\n",
			"From: a@b\r\nSubject: x\r\n\r\nX-Misend-Confirmed: body\r\n", []string{"v=1; s=a b=2"}},
		{"x-misend-confirmed:one\r\nX-Misend-Verdict: pass\r\nX-MISEND-CONFIRMED: two\r\n\r\n", "\r\n", []string{"one", "two"}},
		{"X-Misend-Confirmed-Not: x\r\n\r\n", "\r\n", nil},
		// A bare LF ends the header for the stamp (what follows is not
		// trusted as one) but not for stripping: nothing of ours leaves.
		{"From: a@b\nX-Misend-Confirmed: lf\n\nX-Misend-Confirmed: later\r\n\r\n", "From: a@b\n\n\r\n", []string{"lf"}},
		{strings.Repeat("X-Misend-Confirmed: n\r\n", 20) + "\r\n", "\r\n", slices.Repeat([]string{"n"}, 8)},
	} {
		got, stamps := stripOurs([]byte(tt.raw))
		if string(got) != tt.want || !slices.Equal(stamps, tt.stamps) {
			t.Errorf("stripOurs(%q) = %q, %q; want %q, %q", tt.raw, got, stamps, tt.want, tt.stamps)
		}
	}
}

// FuzzStripOurs: the stamps read while stripping are those stamp.Values
// reads from the message as it came.
func FuzzStripOurs(f *testing.F) {
	f.Add([]byte("X-Misend-Confirmed: v=1\r\n folded\r\nSubject: x\r\n\r\nX-Misend-Confirmed: body\r\n"))
	f.Add([]byte("x-misend-confirmed:\n\nX-Misend-Verdict: x\r\n\r\n"))
	f.Add([]byte(" leading fold\r\nX-Misend-Confirmed: a\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if _, stamps := stripOurs(raw); !slices.Equal(stamps, stamp.Values(raw)) {
			t.Fatalf("stamps %q, stamp.Values %q", stamps, stamp.Values(raw))
		}
	})
}
