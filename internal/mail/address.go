package mail

import (
	netmail "net/mail"
	"strings"
)

var addrParser = netmail.AddressParser{WordDecoder: wordDecoder}

// addressList parses an address header. Plain lists (what nearly all mail
// carries) take a fast path; anything with quotes, comments, groups or an
// address net/mail would refuse goes to net/mail, and when that rejects the
// whole list each comma-separated piece is salvaged on its own.
func (m *Message) addressList(field, v string) []Address {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	if out, ok := m.simpleList(field, v); ok {
		return out
	}
	if l, err := addrParser.ParseList(v); err == nil {
		out := make([]Address, 0, len(l))
		for _, a := range l {
			out = append(out, Address{Name: a.Name, Addr: strings.ToLower(a.Address)})
		}
		return out
	}
	var out []Address
	for _, piece := range splitList(v) {
		if a, ok := salvageAddress(m.decodeWords(field, piece)); ok {
			out = append(out, a)
		} else if strings.TrimSpace(piece) != "" && !strings.HasSuffix(strings.TrimSpace(piece), ":;") {
			m.problem("%s: unreadable address %q", field, truncate(piece, 80))
		}
	}
	return out
}

// simpleList parses "addr, Name <addr>, =?UTF-8?B?…?= <addr>" without the
// general parser. ok is false as soon as anything needs it.
func (m *Message) simpleList(field, v string) (out []Address, ok bool) {
	if strings.ContainsAny(v, "\"()\\:;[]") {
		return nil, false
	}
	n := strings.Count(v, ",") + 1
	out = make([]Address, 0, n)
	for piece := range strings.SplitSeq(v, ",") {
		piece = strings.TrimSpace(piece)
		if piece == "" {
			return nil, false
		}
		var name, addr string
		if lt := strings.IndexByte(piece, '<'); lt >= 0 {
			if piece[len(piece)-1] != '>' {
				return nil, false
			}
			name, addr = strings.TrimSpace(piece[:lt]), piece[lt+1:len(piece)-1]
			if !simplePhrase(name) {
				return nil, false
			}
		} else {
			addr = piece
		}
		if !dotAtomAddr(addr) {
			return nil, false
		}
		if name = collapseBlanks(name); strings.Contains(name, "=?") {
			// A word that does not decode is kept as written, word by
			// word, by net/mail (what the slow path uses): so is it here.
			d, err := wordDecoder.DecodeHeader(name)
			if err != nil {
				return nil, false
			}
			name = d
		}
		out = append(out, Address{Name: name, Addr: strings.ToLower(addr)})
	}
	return out, true
}

// simplePhrase is a display name of atoms, dots and encoded words (all
// atext), which net/mail would read word by word.
func simplePhrase(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || c == '<' || c == '>' || c == '@' || c == ',' || (c < ' ' && c != '\t') {
			return false
		}
	}
	return true
}

// dotAtomAddr is local@domain with both sides dot-atoms of ASCII atext:
// the addresses net/mail accepts without quoting.
func dotAtomAddr(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.IndexByte(s[at+1:], '@') >= 0 {
		return false
	}
	return dotAtom(s[:at]) && dotAtom(s[at+1:])
}

func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.':
		case strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// collapseBlanks turns runs of blanks into one space, as a phrase reads.
func collapseBlanks(s string) string {
	if !strings.Contains(s, "  ") && !strings.ContainsAny(s, "\t") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// splitList splits on commas outside quotes and angle brackets.
func splitList(v string) []string {
	var out []string
	var quoted bool
	depth, start := 0, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '<':
			depth++
		case c == '>' && depth > 0:
			depth--
		case (c == ',' || c == ';') && depth == 0:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

func salvageAddress(s string) (Address, bool) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, ":"); i >= 0 && !strings.Contains(s[:i], "@") && !strings.Contains(s[:i], "<") {
		s = strings.TrimSpace(s[i+1:]) // group display name
	}
	var name, addr string
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		name = strings.Trim(strings.TrimSpace(s[:i]), `"`)
		addr = s[i+1:]
		if j := strings.IndexByte(addr, '>'); j >= 0 {
			addr = addr[:j]
		}
	} else {
		f := strings.Fields(s)
		for _, w := range f {
			if strings.Contains(w, "@") {
				addr = w
			}
		}
	}
	addr = strings.TrimSpace(addr)
	if local, domain, ok := splitMailbox(addr); ok && strings.HasPrefix(addr, `"`) {
		// A quoted local part, unquoted as net/mail gives it: trimmed,
		// only its opening quote would go.
		addr = local + "@" + domain
	}
	addr = strings.Trim(addr, `"'<>()`)
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 || strings.ContainsAny(addr, " \t") {
		return Address{}, false
	}
	return Address{Name: name, Addr: strings.ToLower(addr)}, true
}
