package attach

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// xmlScanner walks XML as office files write it, much faster than
// encoding/xml because it builds nothing: it yields start and end tags by
// local name (the prefix dropped) and text runs as the raw octets between
// tags. It does not check well-formedness: damaged XML yields what it can,
// and text is only ever a sub-slice of the input.
type xmlScanner struct {
	data []byte
	pos  int
}

type xmlToken int

const (
	xmlEOF xmlToken = iota
	xmlStart
	xmlEnd
	xmlEmpty // <x/>
	xmlText  // raw text, entities not decoded
	xmlCDATA // raw text, taken as is
)

// next returns the next token: its kind, the local name of a tag (or the
// text), and the tag's inside (for attributes).
func (s *xmlScanner) next() (xmlToken, []byte, []byte) {
	for s.pos < len(s.data) {
		d := s.data[s.pos:]
		if d[0] != '<' {
			end := bytes.IndexByte(d, '<')
			if end < 0 {
				end = len(d)
			}
			s.pos += end
			return xmlText, d[:end], nil
		}
		switch {
		case len(d) < 2 || d[1] != '!':
			// A tag: the usual case, spared the prefix tests below.
		case bytes.HasPrefix(d, []byte("<!--")):
			end := bytes.Index(d[4:], []byte("-->"))
			if end < 0 {
				s.pos = len(s.data)
				return xmlEOF, nil, nil
			}
			s.pos += 4 + end + 3
			continue
		case bytes.HasPrefix(d, []byte("<![CDATA[")):
			end := bytes.Index(d[9:], []byte("]]>"))
			if end < 0 {
				end = len(d) - 9
				s.pos = len(s.data)
			} else {
				s.pos += 9 + end + 3
			}
			return xmlCDATA, d[9 : 9+end], nil
		}
		end := tagEnd(d)
		if end < 0 {
			s.pos = len(s.data)
			return xmlEOF, nil, nil
		}
		s.pos += end + 1
		inside := d[1:end]
		if len(inside) == 0 || inside[0] == '?' || inside[0] == '!' {
			continue
		}
		kind := xmlStart
		if inside[0] == '/' {
			kind, inside = xmlEnd, inside[1:]
		} else if inside[len(inside)-1] == '/' {
			kind, inside = xmlEmpty, inside[:len(inside)-1]
		}
		return kind, localName(inside), inside
	}
	return xmlEOF, nil, nil
}

// tagEnd is the index of the '>' closing the tag d starts with, -1 when
// none does. Office XML is mostly tags of a dozen octets, where a plain
// loop is cheaper than setting up bytes.IndexByte's vector search.
func tagEnd(d []byte) int {
	n := min(len(d), 24)
	for i := 1; i < n; i++ {
		if d[i] == '>' {
			return i
		}
	}
	if n == len(d) {
		return -1
	}
	if i := bytes.IndexByte(d[n:], '>'); i >= 0 {
		return n + i
	}
	return -1
}

// localName is a tag's element name without its namespace prefix. One
// pass: every tag of a document comes through here.
func localName(inside []byte) []byte {
	start := 0
	for i, c := range inside {
		switch c {
		case ' ', '\t', '\n', '\r', '/':
			return inside[start:i]
		case ':':
			if start == 0 {
				start = i + 1
			}
		}
	}
	return inside[start:]
}

// attr returns the value of the attribute with local name key in a tag's
// inside, "" when absent.
func attr(inside []byte, key string) []byte {
	for i := 0; i < len(inside); {
		j := bytes.Index(inside[i:], []byte(key+"="))
		if j < 0 {
			return nil
		}
		j += i
		if j > 0 {
			if c := inside[j-1]; c != ' ' && c != ':' && c != '\t' && c != '\n' && c != '\r' {
				i = j + len(key)
				continue
			}
		}
		v := inside[j+len(key)+1:]
		if len(v) == 0 || (v[0] != '"' && v[0] != '\'') {
			return nil
		}
		end := bytes.IndexByte(v[1:], v[0])
		if end < 0 {
			return nil
		}
		return v[1 : 1+end]
	}
	return nil
}

// appendUnescaped appends text with its XML entities and character
// references decoded; an unknown or broken one is kept as written.
func appendUnescaped(dst, text []byte) []byte {
	for len(text) > 0 {
		i := bytes.IndexByte(text, '&')
		if i < 0 {
			return append(dst, text...)
		}
		dst = append(dst, text[:i]...)
		text = text[i:]
		end := bytes.IndexByte(text[:min(len(text), 12)], ';')
		if end < 0 {
			dst = append(dst, '&')
			text = text[1:]
			continue
		}
		var ok bool
		if dst, ok = appendEntity(dst, text[1:end]); !ok {
			dst = append(dst, text[:end+1]...)
		}
		text = text[end+1:]
	}
	return dst
}

// appendEntity appends the character an entity or character reference
// stands for (ent is what comes between '&' and ';'); it returns dst as
// it was and false when ent is unknown or broken.
func appendEntity(dst, ent []byte) ([]byte, bool) {
	switch string(ent) {
	case "amp":
		return append(dst, '&'), true
	case "lt":
		return append(dst, '<'), true
	case "gt":
		return append(dst, '>'), true
	case "quot":
		return append(dst, '"'), true
	case "apos":
		return append(dst, '\''), true
	}
	r, ok := charRef(ent)
	if !ok {
		return dst, false
	}
	return utf8.AppendRune(dst, r), true
}

// charRef decodes "#123" or "#x7B".
func charRef(ent []byte) (rune, bool) {
	if len(ent) < 2 || ent[0] != '#' {
		return 0, false
	}
	base, digits := 10, ent[1:]
	if digits[0] == 'x' || digits[0] == 'X' {
		base, digits = 16, digits[1:]
	}
	n, err := strconv.ParseUint(string(digits), base, 32)
	if err != nil || !utf8.ValidRune(rune(n)) {
		return 0, false
	}
	return rune(n), true
}
