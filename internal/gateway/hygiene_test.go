package gateway

import "testing"

func TestStripOurs(t *testing.T) {
	for _, tt := range []struct{ raw, want string }{
		{"Subject: x\r\n\r\nX-Misend-Verdict: pass\r\n", "Subject: x\r\n\r\nX-Misend-Verdict: pass\r\n"},
		{"X-Misend-Verdict: pass\r\nSubject: x\r\n\r\nbody\r\n", "Subject: x\r\n\r\nbody\r\n"},
		{"Subject: x\r\nx-misend-score: 0.00\r\n folded\r\n\tmore\r\nTo: a@b\r\n\r\nbody\r\n", "Subject: x\r\nTo: a@b\r\n\r\nbody\r\n"},
		{"Subject: x\r\nX-Misend-Warning: y\r\n", "Subject: x\r\n"},
		{"X-Misendx: kept\r\n\r\n", "X-Misendx: kept\r\n\r\n"},
	} {
		if got := string(stripOurs([]byte(tt.raw))); got != tt.want {
			t.Errorf("stripOurs(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}
