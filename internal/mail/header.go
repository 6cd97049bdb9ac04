package mail

import "bytes"

// field is one header field, as offsets into the raw octets so that fields
// nobody asks for cost nothing.
type field struct {
	name       []byte // without trailing blanks
	start, end int    // value, after the colon, up to the field's last line end
	multiline  bool   // folded over several lines
}

// header is a header block in its original order.
type header struct {
	raw    []byte
	fields []field
	bad    int // lines that were neither a field nor a continuation
}

// readHeader splits raw into its header fields and body. A leading mbox
// "From " line is skipped. Lines that are not fields are counted in bad and
// skipped rather than ending the header: real mail has broken header lines,
// and the fields after them still matter. ok is false when the first line
// is not a header field at all: then raw is not a message.
func readHeader(raw []byte, fields []field) (h header, body []byte, ok bool) {
	h = header{raw: raw, fields: fields[:0]}
	i := 0
	if bytes.HasPrefix(raw, []byte("From ")) {
		i = lineEnd(raw, 0)
	}
	first := true
	for i < len(raw) {
		j := lineEnd(raw, i)
		line := raw[i:j]
		line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		switch {
		case len(line) == 0:
			return h, raw[j:], true
		case line[0] == ' ' || line[0] == '\t':
			if first {
				return h, nil, false
			}
			if n := len(h.fields); n > 0 && h.fields[n-1].end == i {
				h.fields[n-1].end = j
				h.fields[n-1].multiline = true
			} else {
				h.bad++
			}
		default:
			colon := bytes.IndexByte(line, ':')
			name := bytes.TrimRight(line[:max(colon, 0)], " \t")
			if colon <= 0 || !validFieldName(name) {
				if first {
					return h, nil, false
				}
				h.bad++
			} else {
				h.fields = append(h.fields, field{name: name, start: i + colon + 1, end: j})
			}
		}
		first = false
		i = j
	}
	return h, nil, true
}

// lineEnd is the index just past the line starting at i (after its '\n').
func lineEnd(b []byte, i int) int {
	if k := bytes.IndexByte(b[i:], '\n'); k >= 0 {
		return i + k + 1
	}
	return len(b)
}

// validFieldName follows RFC 5322: printable ASCII except the colon.
func validFieldName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

// get returns the unfolded, trimmed value of the first field called name.
func (h *header) get(name string) string {
	for i := range h.fields {
		if f := &h.fields[i]; equalFold(f.name, name) {
			return h.value(f)
		}
	}
	return ""
}

// getAll returns the values of every field called name, in order.
func (h *header) getAll(name string) []string {
	var out []string
	for i := range h.fields {
		if f := &h.fields[i]; equalFold(f.name, name) {
			out = append(out, h.value(f))
		}
	}
	return out
}

// equalFold compares an ASCII field name without case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func (h *header) value(f *field) string {
	v := h.raw[f.start:f.end]
	if !f.multiline {
		return string(bytes.TrimSpace(v))
	}
	// Each line break and the blanks around it become one space, as
	// mail clients show a folded field.
	out := make([]byte, 0, len(v))
	for len(v) > 0 {
		k := bytes.IndexByte(v, '\n')
		if k < 0 {
			k = len(v)
		}
		line := bytes.TrimRight(v[:k], " \t\r")
		if len(out) > 0 {
			line = bytes.TrimLeft(line, " \t")
			out = append(out, ' ')
		}
		out = append(out, line...)
		v = v[min(k+1, len(v)):]
	}
	return string(bytes.TrimSpace(out))
}

// LooksLikeMessage tells from the first octets of a file whether it can be
// a message at all: its first line (after an mbox "From " line) must be a
// header field, and mail never holds NUL octets in its header. It lets
// importers pass over stray files without reading them whole.
func LooksLikeMessage(head []byte) bool {
	if bytes.HasPrefix(head, []byte("From ")) {
		head = head[lineEnd(head, 0):]
	}
	if len(head) == 0 {
		return false
	}
	if i := bytes.Index(head, []byte("\n\n")); i >= 0 {
		head = head[:i]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	line := head[:lineEnd(head, 0)]
	colon := bytes.IndexByte(line, ':')
	return colon > 0 && validFieldName(bytes.TrimRight(line[:colon], " \t"))
}
