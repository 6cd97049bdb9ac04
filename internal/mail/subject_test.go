package mail

import "testing"

func TestBaseSubject(t *testing.T) {
	tests := []struct {
		in    string
		base  string
		reply bool
	}{
		{"Quarterly numbers", "quarterly numbers", false},
		{"Re: Quarterly  numbers ", "quarterly numbers", true},
		{"RE: FW: Re: Quarterly numbers", "quarterly numbers", true},
		{"RE[2]: Quarterly numbers", "quarterly numbers", true},
		{"Fwd: [sales] Re: Quarterly numbers", "quarterly numbers", true},
		{"返信: 見積書の件", "見積書の件", true},
		{"Re：見積書の件", "見積書の件", true},
		{"Regarding the plan", "regarding the plan", false}, // "Re" without a colon is a word
		{"Re:", "", true},
		{"", "", false},
		{"[x] plain", "plain", false},
	}
	for _, tt := range tests {
		base, reply := BaseSubject(tt.in)
		if base != tt.base || reply != tt.reply {
			t.Errorf("BaseSubject(%q) = %q, %v; want %q, %v", tt.in, base, reply, tt.base, tt.reply)
		}
	}
}

func TestIsForward(t *testing.T) {
	for s, want := range map[string]bool{"FW: x": true, "Fwd: x": true, "fw : x": true, "転送: 見積": true, "RE: FW: x": false, "Fwiw": false, "": false} {
		if IsForward(s) != want {
			t.Errorf("IsForward(%q) = %v", s, !want)
		}
	}
}
