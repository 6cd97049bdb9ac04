package attach

import (
	"strconv"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
)

// rtfSkip are destinations whose contents are not text a reader sees.
var rtfSkip = map[string]bool{
	"fonttbl": true, "colortbl": true, "stylesheet": true, "info": true, "pict": true,
	"object": true, "themedata": true, "colorschememapping": true, "datastore": true,
	"latentstyles": true, "listtable": true, "listoverridetable": true, "rsidtbl": true,
	"generator": true, "xmlnstbl": true, "mmathPr": true, "fldinst": true, "filetbl": true,
	"revtbl": true, "pgdsctbl": true, "bkmkstart": true, "bkmkend": true, "xe": true,
}

// rtfMaxStack bounds the group stack; deeper groups share the state of the
// deepest kept one, so hostile nesting costs no memory.
const rtfMaxStack = 256

type rtfState struct {
	skip bool
	uc   int // octets standing in for each \u character
}

// rtf reads Rich Text: plain characters, \'hh octets in the document's
// code page (\ansicpg; 932 is Shift_JIS), \uN characters (skipping the \ucN
// fallback octets after them) and paragraph, line, tab and cell marks.
// Destinations that hold no visible text (font table, pictures, field
// instructions, anything marked \*) are skipped.
func (r *reader) rtf(at string, data []byte) {
	var dec encoding.Encoding = charmap.Windows1252
	stack := []rtfState{{uc: 1}}
	depth := 0 // groups open, past the stack too
	var out, octets []byte
	skipFallback := 0
	flushOctets := func() {
		if len(octets) == 0 {
			return
		}
		if s, err := dec.NewDecoder().Bytes(octets); err == nil {
			out = append(out, s...)
		}
		octets = octets[:0]
	}
	cur := func() *rtfState { return &stack[len(stack)-1] }
	emit := func(s string) {
		if !cur().skip {
			flushOctets()
			out = append(out, s...)
		}
	}
	for i := 0; i < len(data); {
		if len(out) > 32<<10 {
			r.write(out)
			out = out[:0]
			if r.full {
				return
			}
		}
		c := data[i]
		switch c {
		case '{':
			depth++
			if len(stack) < rtfMaxStack {
				stack = append(stack, *cur())
			}
			i++
			continue
		case '}':
			if depth > 0 && depth < rtfMaxStack {
				stack = stack[:len(stack)-1]
			}
			depth = max(depth-1, 0)
			i++
			continue
		case '\r', '\n':
			i++
			continue
		case '\\':
		default:
			if skipFallback > 0 {
				skipFallback--
			} else if !cur().skip {
				if c >= 0x80 {
					octets = append(octets, c)
				} else {
					flushOctets()
					out = append(out, c)
				}
			}
			i++
			continue
		}
		// A control word or symbol.
		i++
		if i >= len(data) {
			break
		}
		c = data[i]
		if !isLetter(c) {
			i++
			switch c {
			case '\'':
				if i+2 <= len(data) {
					if v, err := strconv.ParseUint(string(data[i:i+2]), 16, 8); err == nil {
						if skipFallback > 0 {
							skipFallback--
						} else if !cur().skip {
							octets = append(octets, byte(v))
						}
					}
					i += 2
				}
			case '*':
				cur().skip = true
			case '~':
				emit("\u00a0")
			case '{', '}', '\\':
				if skipFallback > 0 {
					skipFallback--
				} else {
					emit(string(c))
				}
			case '\n', '\r':
				emit("\n")
			}
			continue
		}
		start := i
		for i < len(data) && isLetter(data[i]) && i-start < 32 {
			i++
		}
		word := string(data[start:i])
		numStart := i
		if i < len(data) && data[i] == '-' {
			i++
		}
		for i < len(data) && data[i] >= '0' && data[i] <= '9' && i-numStart < 10 {
			i++
		}
		param, hasParam := 0, i > numStart
		if hasParam {
			param, _ = strconv.Atoi(string(data[numStart:i]))
		}
		if i < len(data) && data[i] == ' ' {
			i++
		}
		if rtfSkip[word] {
			cur().skip = true
			continue
		}
		switch word {
		case "par", "line", "row", "sect", "page":
			emit("\n")
			if word == "page" {
				flushOctets()
				r.write(out)
				out = out[:0]
				r.endLead()
			}
		case "tab", "cell":
			emit("\t")
		case "uc":
			if hasParam && param >= 0 && param < 10 {
				cur().uc = param
			}
		case "u":
			if hasParam {
				if param < 0 {
					param += 65536
				}
				if rn := rune(param); utf8.ValidRune(rn) {
					emit(string(rn))
				}
				skipFallback = cur().uc
			}
		case "ansicpg":
			switch param {
			case 932:
				dec = japanese.ShiftJIS
			case 1252:
				dec = charmap.Windows1252
			}
		}
	}
	flushOctets()
	r.write(out)
	r.newline()
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
