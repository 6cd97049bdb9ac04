package attach

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zip"
)

// docx reads a Word document's body (word/document.xml): the text of its
// runs (w:t), paragraph by paragraph. Deleted revisions (w:delText) and
// field codes (w:instrText) are not text a reader sees and are left out.
// The first page ends where Word last broke the page when it saved.
// After the body come the parts printed or shown around it (wordParts):
// headers, footers, footnotes, endnotes and comments, where a company
// prints 社外秘 on every page. They are read the same way, within the same
// limits.
func (r *reader) docx(at string, zr *zip.Reader, z map[string]*zip.File) {
	data, ok := r.entry(join(at, "word/document.xml"), z["word/document.xml"])
	if !ok && data == nil {
		return
	}
	r.wordText(data)
	r.done(data)
	r.newline()
	for _, f := range wordParts(zr, z) {
		if r.timeUp(at) || r.full {
			return
		}
		data, ok := r.entry(join(at, f.Name), f)
		if !ok && data == nil {
			continue
		}
		r.wordText(data)
		r.done(data)
		r.newline()
	}
}

// wordParts are the parts of a Word document besides its body that hold
// text of the same markup: headers and footers in their numbered order,
// then footnotes, endnotes and comments.
func wordParts(zr *zip.Reader, z map[string]*zip.File) []*zip.File {
	parts := numbered(zr, "word/header", ".xml")
	parts = append(parts, numbered(zr, "word/footer", ".xml")...)
	for _, name := range []string{"word/footnotes.xml", "word/endnotes.xml", "word/comments.xml"} {
		if f := z[name]; f != nil {
			parts = append(parts, f)
		}
	}
	return parts
}

// runs writes the text of a document's runs (t elements), a paragraph (p)
// per line, as Word's and DrawingML's XML both hold it. Empty elements
// (breaks, tabs) go to empty, which returns buf with what they add.
func (r *reader) runs(data []byte, empty func(name, inside, buf []byte) []byte) {
	s := xmlScanner{data: data}
	inText := false
	var buf []byte
	for {
		tok, name, inside := s.next()
		switch tok {
		case xmlEOF:
			r.write(buf)
			return
		case xmlStart:
			inText = string(name) == "t"
		case xmlEnd:
			switch string(name) {
			case "t":
				inText = false
			case "p":
				buf = append(buf, '\n')
			}
		case xmlEmpty:
			buf = empty(name, inside, buf)
		case xmlText:
			if inText {
				buf = appendUnescaped(buf, name)
			}
		case xmlCDATA:
			if inText {
				buf = append(buf, name...)
			}
		}
		if len(buf) > 32<<10 {
			r.write(buf)
			buf = buf[:0]
		}
	}
}

// xlsx reads a workbook: every cell of every sheet, a row per line with
// cells separated by tabs. Strings come from the shared string table (its
// phonetic guides, rPh, left out) or sit in the cell (inlineStr); numbers
// are kept as written, since card and phone numbers are often stored as
// numbers. The first sheet is the lead.
func (r *reader) xlsx(at string, zr *zip.Reader, z map[string]*zip.File) {
	var shared [][]byte
	if f := z["xl/sharedStrings.xml"]; f != nil {
		data, ok := r.entry(join(at, f.Name), f)
		if ok {
			shared = sharedStrings(data)
		}
		r.done(data)
	}
	sheets := numbered(zr, "xl/worksheets/sheet", ".xml")
	for i, f := range sheets {
		if r.timeUp(at) || r.full {
			return
		}
		data, ok := r.entry(join(at, f.Name), f)
		if !ok && data == nil {
			continue
		}
		r.sheet(data, shared)
		r.done(data)
		r.newline()
		if i == 0 {
			r.endLead()
		}
	}
}

// sharedStrings reads xl/sharedStrings.xml into its strings, by index.
func sharedStrings(data []byte) [][]byte {
	var out [][]byte
	s := xmlScanner{data: data}
	var cur []byte
	inT, inPhonetic, inItem := false, false, false
	for {
		tok, name, _ := s.next()
		switch tok {
		case xmlEOF:
			return out
		case xmlStart:
			switch string(name) {
			case "si":
				inItem, cur = true, nil
			case "t":
				inT = true
			case "rPh":
				inPhonetic = true
			}
		case xmlEnd:
			switch string(name) {
			case "si":
				if inItem {
					out = append(out, cur)
				}
				inItem = false
			case "t":
				inT = false
			case "rPh":
				inPhonetic = false
			}
		case xmlEmpty:
			if string(name) == "si" {
				out = append(out, nil)
			}
		case xmlText:
			if inItem && inT && !inPhonetic {
				cur = appendUnescaped(cur, name)
			}
		case xmlCDATA:
			if inItem && inT && !inPhonetic {
				cur = append(cur, name...)
			}
		}
	}
}

// sheet writes the cells of one worksheet, then the text of its printed
// headers and footers (headerFooter, after the cells), a line each.
func (r *reader) sheet(data []byte, shared [][]byte) {
	s := xmlScanner{data: data}
	var buf []byte
	cellType := ""
	inValue, inT, inPhonetic, inHF, first := false, false, false, false, true
	var val, hf []byte
	for {
		tok, name, inside := s.next()
		switch tok {
		case xmlEOF:
			r.write(buf)
			return
		case xmlStart:
			switch string(name) {
			case "row":
				first = true
			case "c":
				cellType, val = string(attr(inside, "t")), val[:0]
			case "v":
				inValue = true
			case "t":
				inT = true
			case "rPh":
				inPhonetic = true
			case "oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter":
				inHF, hf = true, hf[:0]
			}
		case xmlEnd:
			switch string(name) {
			case "oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter":
				if m := len(buf); inHF {
					if buf = appendHeaderFooter(buf, hf); len(buf) > m {
						buf = append(buf, '\n')
					}
				}
				inHF = false
			case "row":
				buf = append(buf, '\n')
			case "v":
				inValue = false
			case "t":
				inT = false
			case "rPh":
				inPhonetic = false
			case "c":
				text := val
				if cellType == "s" {
					text = nil
					if i, err := strconv.Atoi(string(bytes.TrimSpace(val))); err == nil && i >= 0 && i < len(shared) {
						text = shared[i]
					}
				}
				if len(text) > 0 {
					if !first {
						buf = append(buf, '\t')
					}
					buf = append(buf, text...)
					first = false
				}
			}
		case xmlText:
			switch {
			case inHF:
				hf = appendUnescaped(hf, name)
			case inValue || (inT && !inPhonetic):
				val = appendUnescaped(val, name)
			}
		}
		if len(buf) > 32<<10 {
			r.write(buf)
			buf = buf[:0]
		}
	}
}

// appendHeaderFooter appends the text of a sheet's header or footer as
// SpreadsheetML writes it (ECMA-376 Part 1, 18.3.1.39): the left, centre
// and right sections (&L, &C, &R) separated by tabs, without the codes
// that format it or stand for what is filled in when printing (&P the
// page, &A the sheet's name, &"font,style", a size, &K and a colour); &&
// is an ampersand.
func appendHeaderFooter(dst, s []byte) []byte {
	start := len(dst)
	section := len(dst) // where the current section's text starts
	endSection := func() {
		text := bytes.TrimSpace(dst[section:])
		dst = append(dst[:section], text...)
		if len(text) > 0 {
			dst = append(dst, '\t')
		}
		section = len(dst)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c != '&' || i+1 == len(s) {
			dst = append(dst, c)
			i++
			continue
		}
		switch c := s[i+1]; {
		case c == '&':
			dst = append(dst, '&')
			i += 2
		case c == 'L', c == 'C', c == 'R':
			endSection()
			i += 2
		case c == '"':
			// A font name and style, up to the closing quote.
			if e := bytes.IndexByte(s[i+2:], '"'); e >= 0 {
				i += 2 + e + 1
			} else {
				i = len(s)
			}
		case c >= '0' && c <= '9':
			// A font size.
			i++
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
		case c == 'K':
			// A colour: six hex digits, or a theme colour and tint
			// (ttSnnn), six characters as well.
			i = min(len(s), i+2+6)
		default:
			i += 2
		}
	}
	endSection()
	for len(dst) > start && dst[len(dst)-1] == '\t' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// pptx reads the slides in their numbered order: the text of their
// shapes (a:t), a paragraph per line. The first slide is the lead. The
// speaker notes (ppt/notesSlides) follow, read the same way.
func (r *reader) pptx(at string, zr *zip.Reader) {
	slides := numbered(zr, "ppt/slides/slide", ".xml")
	notes := numbered(zr, "ppt/notesSlides/notesSlide", ".xml")
	for i, f := range append(slides, notes...) {
		if r.timeUp(at) || r.full {
			return
		}
		data, ok := r.entry(join(at, f.Name), f)
		if !ok && data == nil {
			continue
		}
		r.drawingML(data)
		r.done(data)
		r.newline()
		if i == 0 {
			r.endLead()
		}
	}
}

// drawingML writes the text of a:t runs, a paragraph (a:p) per line.
func (r *reader) drawingML(data []byte) {
	r.runs(data, func(name, _, buf []byte) []byte {
		if string(name) == "br" {
			buf = append(buf, '\n')
		}
		return buf
	})
}

// numbered returns the files named prefix+N+suffix in the order of N
// (slide2 before slide10).
func numbered(zr *zip.Reader, prefix, suffix string) []*zip.File {
	type nf struct {
		n int
		f *zip.File
	}
	var out []nf
	for _, f := range zr.File {
		mid, ok := strings.CutPrefix(f.Name, prefix)
		if !ok {
			continue
		}
		mid, ok = strings.CutSuffix(mid, suffix)
		if n, err := strconv.Atoi(mid); ok && err == nil {
			out = append(out, nf{n, f})
		}
	}
	slices.SortFunc(out, func(a, b nf) int { return a.n - b.n })
	files := make([]*zip.File, len(out))
	for i, x := range out {
		files[i] = x.f
	}
	return files
}
