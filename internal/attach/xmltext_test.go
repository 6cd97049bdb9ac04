package attach

import (
	"bytes"
	"testing"

	"github.com/klauspost/compress/zip"
)

// nextTokenised is next as it was before the work on speed (commit
// b1ad5e1): every tag's end found by bytes.IndexByte, its name in two
// passes. FuzzScanner holds the faster scanner to its tokens.
func (s *xmlScanner) nextTokenised() (xmlToken, []byte, []byte) {
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
		end := bytes.IndexByte(d, '>')
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
		return kind, localNameTwoPass(inside), inside
	}
	return xmlEOF, nil, nil
}

func localNameTwoPass(inside []byte) []byte {
	end := 0
	for end < len(inside) {
		c := inside[end]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '/' {
			break
		}
		end++
	}
	name := inside[:end]
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// sameTokens reports whether the two scanners agree on data, and at
// which token they part if not.
func sameTokens(data []byte) (bool, int) {
	a, b := xmlScanner{data: data}, xmlScanner{data: data}
	for i := 0; ; i++ {
		ka, na, ia := a.next()
		kb, nb, ib := b.nextTokenised()
		if ka != kb || !bytes.Equal(na, nb) || !bytes.Equal(ia, ib) || a.pos != b.pos {
			return false, i
		}
		if ka == xmlEOF {
			return true, i
		}
	}
}

func TestScanner(t *testing.T) {
	for _, s := range []string{
		`<w:p><w:r><w:t xml:space="preserve"> a </w:t><w:br w:type="page"/></w:r></w:p>`,
		`<>< x>< /x></ ><x:y:z a="1"/><:a><a:/></x/><x / ><?xml version="1.0"?><!DOCTYPE x><!-- c --><![CDATA[d]]>`,
		`<w:t`, `<w:t a="`, `</`, `<`, `<x/`, `<x  a='>'>`, "<w:t\n>x</w:t\t>",
		`<w:rPr></w:rPr><w:lastRenderedPageBreak/><a:t>DrawingML</a:t></a:p>`,
	} {
		if ok, at := sameTokens([]byte(s)); !ok {
			t.Errorf("%q: the scanners part at token %d", s, at)
		}
	}
	for _, f := range []string{"bench50k.docx", "quote.docx", "list.xlsx", "deck.pptx", "quote.odt"} {
		r := newReader(t.Context(), DefaultLimits, farFuture)
		zr, z := zipOf2(t, readFile(t, f))
		for _, e := range zr {
			if !bytes.HasSuffix([]byte(e), []byte(".xml")) {
				continue
			}
			data, _ := r.entry(e, z[e])
			if ok, at := sameTokens(data); !ok {
				t.Errorf("%s/%s: the scanners part at token %d", f, e, at)
			}
		}
	}
}

func FuzzScanner(f *testing.F) {
	f.Add([]byte(`<w:p><w:r><w:t xml:space="preserve"> a </w:t><w:br w:type="page"/></w:r></w:p>`))
	f.Add([]byte(`<>< x>< /x></ ><x:y:z a="1"/><:a><a:/></x/><x / ><?x?><!DOCTYPE x><!-- c --><![CDATA[d]]>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if ok, at := sameTokens(data); !ok {
			t.Fatalf("the scanners part at token %d", at)
		}
	})
}

// zipOf2 lists the files of an archive and indexes them.
func zipOf2(t testing.TB, data []byte) ([]string, map[string]*zip.File) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	return names, zipIndex(zr)
}
