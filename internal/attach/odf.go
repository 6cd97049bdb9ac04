package attach

import (
	"bytes"

	"github.com/klauspost/compress/zip"
)

// odf reads an OpenDocument file (text, spreadsheet, presentation): the
// text inside office:body of content.xml, a paragraph or heading per line.
// The lead ends at the first sheet or slide, or at the first page break
// the office suite recorded. The headers and footers of the pages, kept
// with the styles (styles.xml), follow. A manifest with encryption data
// means a password protects the content.
func (r *reader) odf(at string, z map[string]*zip.File) {
	manifest, ok := r.entry(join(at, "META-INF/manifest.xml"), z["META-INF/manifest.xml"])
	if !ok {
		return
	}
	encrypted := bytes.Contains(manifest, []byte("encryption-data"))
	r.done(manifest)
	if encrypted {
		r.encrypted(at)
		return
	}
	data, ok := r.entry(join(at, "content.xml"), z["content.xml"])
	if !ok && data == nil {
		return
	}
	r.odfContent(data)
	r.done(data)
	if f := z["styles.xml"]; f != nil && !r.timeUp(at) && !r.full {
		data, ok := r.entry(join(at, f.Name), f)
		if !ok && data == nil {
			return
		}
		r.newline()
		r.odfHeaders(data)
		r.done(data)
	}
}

// odfContent writes the text of content.xml's office:body.
func (r *reader) odfContent(data []byte) {
	s := xmlScanner{data: data}
	var buf []byte
	inBody := false
	// Paragraph styles that start a new page ("fo:break-before=page"):
	// where the first page ends in a file saved without layout.
	breaks := map[string]bool{}
	style := ""
	flush := func() {
		r.write(buf)
		buf = buf[:0]
	}
	for {
		tok, name, inside := s.next()
		switch tok {
		case xmlEOF:
			flush()
			return
		case xmlStart, xmlEmpty:
			switch string(name) {
			case "body":
				inBody = true
			case "style":
				style = string(attr(inside, "name"))
			case "paragraph-properties":
				if string(attr(inside, "break-before")) == "page" && style != "" {
					breaks[style] = true
				}
			case "p", "h":
				if inBody && breaks[string(attr(inside, "style-name"))] {
					flush()
					r.endLead()
				}
			}
			if tok == xmlStart {
				continue
			}
		}
		switch tok {
		case xmlEnd:
			switch string(name) {
			case "body":
				inBody = false
			case "p", "h":
				buf = append(buf, '\n')
			case "table-cell":
				buf = append(bytes.TrimRight(buf, "\n"), '\t')
			case "table-row":
				buf = append(bytes.TrimRight(buf, "\t"), '\n')
			case "page":
				if inBody {
					flush()
					r.endLead()
				}
			case "table":
				// The first sheet of a spreadsheet; a table in a text
				// document ends the lead just as well.
				flush()
				r.endLead()
			}
		case xmlEmpty:
			if c, ok := odfSpace(name); ok {
				buf = append(buf, c)
			} else if string(name) == "soft-page-break" {
				flush()
				r.endLead()
			}
		case xmlText:
			if inBody {
				buf = appendUnescaped(buf, name)
			}
		case xmlCDATA:
			if inBody {
				buf = append(buf, name...)
			}
		}
		if len(buf) > 32<<10 {
			flush()
		}
	}
}

// odfHeaders writes the text of the headers and footers of styles.xml's
// master pages (style:header, style:footer and their -left and -first
// variants), a paragraph per line. Fields whose text is filled in when
// the page is laid out (page numbers, the sheet's name, dates) are left
// out: what they hold is not what the author wrote.
func (r *reader) odfHeaders(data []byte) {
	s := xmlScanner{data: data}
	var buf []byte
	in, field, para := false, 0, 0
	for {
		tok, name, _ := s.next()
		switch tok {
		case xmlEOF:
			r.write(buf)
			return
		case xmlStart:
			switch string(name) {
			case "header", "footer", "header-left", "footer-left", "header-first", "footer-first":
				in, field = true, 0
			case "page-number", "page-count", "sheet-name", "date", "time", "file-name":
				if in {
					field++
				}
			case "p", "h":
				para = len(buf)
			}
		case xmlEnd:
			switch string(name) {
			case "header", "footer", "header-left", "footer-left", "header-first", "footer-first":
				in = false
			case "page-number", "page-count", "sheet-name", "date", "time", "file-name":
				field = max(0, field-1)
			case "p", "h":
				// A paragraph left blank by its fields is not a line.
				if text := bytes.TrimSpace(buf[min(para, len(buf)):]); in && len(text) > 0 {
					buf = append(append(buf[:para], text...), '\n')
				} else {
					buf = buf[:min(para, len(buf))]
				}
			}
		case xmlEmpty:
			if c, ok := odfSpace(name); ok && in {
				buf = append(buf, c)
			}
		case xmlText:
			if in && field == 0 {
				buf = appendUnescaped(buf, name)
			}
		case xmlCDATA:
			if in && field == 0 {
				buf = append(buf, name...)
			}
		}
		if len(buf) > 32<<10 {
			r.write(buf)
			buf, para = buf[:0], 0
		}
	}
}

// odfSpace is the character an empty ODF text element stands for: text:s,
// text:tab and text:line-break.
func odfSpace(name []byte) (byte, bool) {
	switch string(name) {
	case "s":
		return ' ', true
	case "tab":
		return '\t', true
	case "line-break":
		return '\n', true
	}
	return 0, false
}
