package mail

import "testing"

func TestBareCROrNUL(t *testing.T) {
	for _, tt := range []struct {
		raw  string
		want bool
	}{
		{"Subject: x\r\n\r\nbody\r\n", false},
		{"Subject: x\r\n\r\nbody\n", false},
		{"Subject: x\r\n\r\nbo\rdy\r\n", true},
		{"Subject: x\r\n\r\nbody\r", true},
		{"Subject: x\r\n\r\nbo\x00dy\r\n", true},
		{"", false},
	} {
		if got := BareCROrNUL([]byte(tt.raw)); got != tt.want {
			t.Errorf("BareCROrNUL(%q) = %v", tt.raw, got)
		}
	}
}
