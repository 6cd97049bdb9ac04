package mail

import "testing"

func TestRoute(t *testing.T) {
	tests := []struct {
		addr, dest string
		routed     bool
	}{
		{"sato@corp.example", "sato@corp.example", false},
		{"o'brien+x@corp.example", "o'brien+x@corp.example", false},
		{`"john doe"@corp.example`, `"john doe"@corp.example`, false},
		{"attacker%evil.example@corp.example", "attacker@evil.example", true},
		{"a%b.example%c.example@corp.example", "a@b.example", true},
		{`"attacker@evil.example"@corp.example`, "attacker@evil.example", true},
		{"attacker@evil.example@corp.example", "attacker@evil.example", true},
		{`"a\"b@evil.example"@corp.example`, `a"b@evil.example`, true},
		{"evil.example!attacker@corp.example", "attacker@evil.example", true},
		{"x.example!y.example!a@corp.example", "a@y.example", true},
		{"@relay.example:attacker@evil.example", "attacker@evil.example", true},
		{"<@r1.example,@r2.example:a@corp.example>", "a@corp.example", true},
		{"evil.example!attacker", "evil.example!attacker", true},
		{"postmaster", "postmaster", false},
	}
	for _, tt := range tests {
		dest, routed := Route(tt.addr)
		if dest != tt.dest || routed != tt.routed {
			t.Errorf("Route(%q) = %q, %v; want %q, %v", tt.addr, dest, routed, tt.dest, tt.routed)
		}
	}
}

func TestSMTPPath(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"sato@corp.example", "sato@corp.example"},
		{"john doe@corp.example", `"john doe"@corp.example`},
		{`a"b@corp.example`, `"a\"b"@corp.example`},
		{`"john doe"@corp.example`, `"john doe"@corp.example`},
		{"a..b@corp.example", `"a..b"@corp.example`},
		{"佐藤@corp.example", "佐藤@corp.example"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := SMTPPath(tt.addr); got != tt.want {
			t.Errorf("SMTPPath(%q) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}
