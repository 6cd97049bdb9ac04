package mail

import "strings"

// Route tells whether addr is a route rather than a mailbox: an address
// that asks the host of its domain to pass the message on to somewhere
// else. These are the percent hack (user%elsewhere@host), UUCP bang paths
// (elsewhere!user@host), an '@' inside the local part ("user@elsewhere"@host
// quoted, or user@elsewhere@host once an SMTP parser removed the quotes) and
// RFC 821 source routes (@relay,@relay:user@host). Many MTAs still honour
// the first three (Postfix's allow_percent_hack and swap_bangpath are on by
// default), so such an address that looks internal may leave the
// organisation.
//
// dest is where a host honouring the trick would deliver, the address a
// decision must judge; it is addr itself when routed is false.
func Route(addr string) (dest string, routed bool) {
	a := strings.TrimSpace(addr)
	if strings.HasPrefix(a, "<") && strings.HasSuffix(a, ">") {
		a = a[1 : len(a)-1]
	}
	if strings.HasPrefix(a, "@") {
		// Source route: the mailbox is after the last ':'.
		if i := strings.IndexByte(a, ':'); i >= 0 {
			d, _ := Route(a[i+1:])
			return d, true
		}
		return a, true
	}
	local, _, ok := splitMailbox(a)
	if !ok {
		if strings.ContainsAny(a, "%!") {
			return a, true
		}
		return addr, false
	}
	switch {
	case strings.Contains(local, "@"):
		d, _ := Route(local)
		return d, true
	case strings.Contains(local, "%"):
		// The host of domain turns the last '%' into '@'.
		i := strings.LastIndexByte(local, '%')
		d, _ := Route(local[:i] + "@" + local[i+1:])
		return d, true
	case strings.Contains(local, "!"):
		// host!rest: the first host is the next hop.
		i := strings.IndexByte(local, '!')
		d, _ := Route(local[i+1:] + "@" + local[:i])
		return d, true
	}
	return addr, false
}

// splitMailbox splits an address into its local part (unquoted) and domain.
// A quoted local part ends at its closing quote; otherwise the domain
// follows the last '@'.
func splitMailbox(a string) (local, domain string, ok bool) {
	if strings.HasPrefix(a, `"`) {
		var b strings.Builder
		for i := 1; i < len(a); i++ {
			switch c := a[i]; c {
			case '\\':
				if i+1 < len(a) {
					i++
					b.WriteByte(a[i])
				}
			case '"':
				rest := a[i+1:]
				if !strings.HasPrefix(rest, "@") {
					return "", "", false
				}
				return b.String(), rest[1:], true
			default:
				b.WriteByte(c)
			}
		}
		return "", "", false
	}
	i := strings.LastIndexByte(a, '@')
	if i < 0 {
		return "", "", false
	}
	return a[:i], a[i+1:], true
}

// SMTPPath writes addr as an SMTP forward- or reverse-path mailbox
// (without the angle brackets): a local part that is not a dot-string is
// quoted again, as RFC 5321 section 4.1.2 requires. SMTP servers hand an
// address on with its quotes removed ("john doe"@corp.example arrives as
// john doe@corp.example); relayed as it is, the upstream would read another
// address than the one misend checked. An address already quoted is left
// alone.
func SMTPPath(addr string) string {
	if addr == "" || strings.HasPrefix(addr, `"`) {
		return addr
	}
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return addr
	}
	local := addr[:i]
	if dotString(local) {
		return addr
	}
	var b strings.Builder
	b.WriteByte('"')
	for j := 0; j < len(local); j++ {
		if c := local[j]; c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(local[j])
	}
	b.WriteByte('"')
	b.WriteString(addr[i:])
	return b.String()
}

// dotString reports whether s is an RFC 5321 Dot-string: atoms of atext
// (or UTF-8, RFC 6531) joined by single dots.
func dotString(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80, c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-/=?^_`{|}~.", c) >= 0:
		default:
			return false
		}
	}
	return true
}
