package attach

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
)

// docxTokenised is the Word reader as it was before wordText: runs over
// xmlScanner's tokens. TestWordText and FuzzWordText hold wordText to it.
func (r *reader) docxTokenised(data []byte) {
	r.runs(data, func(name, inside, buf []byte) []byte {
		switch string(name) {
		case "tab":
			buf = append(buf, '\t')
		case "br", "cr":
			buf = append(buf, '\n')
			if string(name) == "br" && string(attr(inside, "type")) == "page" {
				r.write(buf)
				buf = buf[:0]
				r.endLead()
			}
		case "lastRenderedPageBreak":
			r.write(buf)
			buf = buf[:0]
			r.endLead()
		}
		return buf
	})
}

// sameWordText reports how wordText and docxTokenised part on data, ""
// when they read it alike: text, lead, problems and the full mark.
func sameWordText(data []byte, lim Limits) string {
	lim = lim.withDefaults()
	a := newReader(context.Background(), lim, farFuture)
	b := newReader(context.Background(), lim, farFuture)
	a.wordText(data)
	b.docxTokenised(data)
	switch {
	case !bytes.Equal(a.text, b.text):
		return "text: " + firstDiff(string(a.text), string(b.text))
	case a.leadEnd != b.leadEnd:
		return fmt.Sprintf("lead ends at %d, not %d", a.leadEnd, b.leadEnd)
	case a.full != b.full || !slices.Equal(a.res.Problems, b.res.Problems):
		return fmt.Sprintf("problems %q (full %v), not %q (full %v)", a.res.Problems, a.full, b.res.Problems, b.full)
	}
	return ""
}

// wordBodies are the bodies of the Word documents of the corpus, those
// inside archives included.
func wordBodies(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	var walk func(name string, data []byte)
	walk = func(name string, data []byte) {
		names, z := zipOf2(t, data)
		for _, e := range names {
			r := newReader(context.Background(), DefaultLimits, farFuture)
			body, ok := r.entry(e, z[e])
			if !ok {
				continue
			}
			switch {
			case e == "word/document.xml":
				out[name] = body
			case strings.HasSuffix(e, ".docx") || strings.HasSuffix(e, ".zip"):
				walk(name+"/"+e, bytes.Clone(body))
			}
		}
	}
	for _, f := range []string{"bench50k.docx", "quote.docx", "quote-labelled.docx", "plain.zip"} {
		walk(f, readFile(t, f))
	}
	return out
}

func TestWordText(t *testing.T) {
	bodies := wordBodies(t)
	if len(bodies) < 4 {
		t.Fatalf("%d Word bodies in the corpus, want 4", len(bodies))
	}
	for name, body := range bodies {
		for _, lim := range []Limits{{}, {MaxTextBytes: 1000}, {MaxTextBytes: 7}, {MaxTextBytes: 1}} {
			if d := sameWordText(body, lim); d != "" {
				t.Errorf("%s, text limit %d: %s", name, lim.MaxTextBytes, d)
			}
		}
		// Cut anywhere: damaged or truncated bodies read alike too.
		for cut := 0; cut < len(body); cut += 1 + len(body)/500 {
			if d := sameWordText(body[:cut], Limits{}); d != "" {
				t.Fatalf("%s cut at %d: %s", name, cut, d)
			}
		}
	}
	for _, s := range []string{
		`<w:p><w:r><w:t xml:space="preserve"> a </w:t><w:br w:type="page"/></w:r></w:p>`,
		`<>< x>< /x></ ><x:y:z a="1"/><:a><a:/></x/><x / ><?xml version="1.0"?><!DOCTYPE x><!-- c --><![CDATA[d]]>`,
		`<w:t`, `<w:t a="`, `</`, `<`, `<x/`, `<x  a='>'>`, "<w:t\n>x</w:t\t>", `<w:t>a<`, `<w:t>a<!--`, `<w:t>a<![CDATA[b`,
		`<w:t>a&amp;b&#x41;&#99999999;&bogus;&</w:t><w:t/>c<w:t>d<w:x/>e<w:y>f</w:y>g</w:t>`,
		`<t>x</t><:t>y</:t><a:b:t>z</a:b:t><w:t:x>q</w:t:x><w::t>r</w::t></p></w:p/><w:p/>`,
		`<w:tab/><w:tab /><w:tab></w:tab><w:br type="page"/><x:br w:type='page'/><w:cr/><w:lastRenderedPageBreak/>`,
		`<w:t>a<!-- </w:t> --><![CDATA[</w:t>]]>b</w:t><!DOCTYPE <w:t>>c<?pi <w:t>?>d`,
		`<w:t>` + strings.Repeat("長い", 20000) + `</w:t></w:p>`,
		// The same markup between texts again and again, with every
		// break and tab, past the 32 KB a buffer is written at.
		strings.Repeat(`<w:p><w:r><w:t>ab</w:t><w:tab/><w:br/><w:br w:type="page"/><w:lastRenderedPageBreak/><w:cr/></w:r><w:r><w:t>c</w:t></w:r></w:p>`, 5000),
		strings.Repeat(`<w:r><w:t>x</w:t></w:r><w:r><w:t>y</w:t><w:t>z</w:t></w:r><w:r><w:t>x</w:t></w:r>`+"\n", 300),
		strings.Repeat(`<w:t>x</w:t><!-- c --><w:t>y</w:t><w:t>x</w:t><?p?><w:t>y</w:t><x:t>q</x:t><w:p/><![CDATA[z]]><w:t>w</w:t>`, 200),
	} {
		for _, lim := range []Limits{{}, {MaxTextBytes: 5}, {MaxTextBytes: 40000}} {
			if d := sameWordText([]byte(s), lim); d != "" {
				t.Errorf("%.60q, text limit %d: %s", s, lim.MaxTextBytes, d)
			}
		}
	}
}

// FuzzWordText holds wordText to the reader before it, on the fuzzed
// octets as they are, and on a well-formed document made of them, where
// both must also read what encoding/xml reads.
func FuzzWordText(f *testing.F) {
	for _, body := range wordBodies(f) {
		f.Add(body[:min(len(body), 1024)])
	}
	f.Add([]byte(`<w:p><w:r><w:t>a&amp;b&#x41;</w:t><w:br w:type="page"/></w:r></w:p><![CDATA[x`))
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if d := sameWordText(data, Limits{}); d != "" {
			t.Fatalf("as is: %s", d)
		}
		if d := sameWordText(data, Limits{MaxTextBytes: 16}); d != "" {
			t.Fatalf("as is, 16 octets of text: %s", d)
		}
		// Made of the first octets only: encoding/xml is slow, and the
		// fuzzer minimises every input it finds new by running it anew.
		doc := wordDoc(data[:min(len(data), 256)])
		if d := sameWordText(doc, Limits{}); d != "" {
			t.Fatalf("%s\nmade: %s", doc, d)
		}
		want, wantLead, err := wordTextXML(doc)
		if err != nil {
			t.Fatalf("%s\nmade a document encoding/xml refuses: %v", doc, err)
		}
		r := newReader(context.Background(), DefaultLimits, farFuture)
		r.wordText(doc)
		if string(r.text) != want || r.leadEnd != wantLead {
			t.Fatalf("%s\nreads %q (lead %d), encoding/xml %q (lead %d)", doc, r.text, r.leadEnd, want, wantLead)
		}
	})
}

// wordDoc makes a well-formed WordprocessingML body of the octets of
// seed, each choosing what comes next: paragraphs, runs of text with
// entities, character references, CDATA and comments, tabs, breaks,
// deleted text, field codes, properties with attributes, other prefixes.
func wordDoc(seed []byte) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	b.WriteString(`<w:document xmlns:w="urn:w" xmlns:x="urn:x" xmlns:mc="urn:mc"><w:body>`)
	text := func(s []byte) {
		for _, c := range s {
			switch c % 12 {
			case 0:
				b.WriteString("&amp;")
			case 1:
				b.WriteString("&lt;&gt;&quot;&apos;")
			case 2:
				fmt.Fprintf(&b, "&#%d;", 0x3000+int(c))
			case 3:
				fmt.Fprintf(&b, "&#x%X;", 0x41+int(c)%26)
			case 4:
				b.WriteString("株式会社")
			case 5:
				b.WriteString(" ")
			case 6:
				b.WriteString("<!-- <w:t>no</w:t> -->")
			case 7:
				b.WriteString("<![CDATA[a<b>&amp;]]>")
			case 8:
				b.WriteString("\t\n")
			default:
				b.WriteByte('a' + c%26)
			}
		}
	}
	inP := false
	for i := 0; i < len(seed); i++ {
		c := seed[i]
		arg := seed[i+1 : min(len(seed), i+1+int(c>>4)%6)]
		switch c % 16 {
		case 0:
			if inP {
				b.WriteString("</w:p>")
			} else {
				b.WriteString(`<w:p w14:paraId="1A2B" xmlns:w14="urn:w14"><w:pPr><w:pStyle w:val="Normal"/><w:jc w:val="left"/><w:rPr></w:rPr></w:pPr>`)
			}
			inP = !inP
		case 1:
			b.WriteString(`<w:r><w:rPr><w:b/><w:sz w:val="21"/></w:rPr><w:t>`)
			text(arg)
			b.WriteString(`</w:t></w:r>`)
			i += len(arg)
		case 2:
			b.WriteString(`<w:r><w:t xml:space="preserve">`)
			text(arg)
			b.WriteString(`</w:t><w:t/></w:r>`)
			i += len(arg)
		case 3:
			b.WriteString(`<w:tab/>`)
		case 4:
			b.WriteString(`<w:br/>`)
		case 5:
			b.WriteString(`<w:br w:type="page"/>`)
		case 6:
			b.WriteString(`<w:cr />`)
		case 7:
			b.WriteString(`<w:lastRenderedPageBreak/>`)
		case 8:
			b.WriteString(`<w:del w:id="1"><w:r><w:delText>deleted</w:delText></w:r></w:del>`)
		case 9:
			b.WriteString(`<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>`)
		case 10:
			b.WriteString(`<!-- a comment with <w:t>tags</w:t> -->`)
		case 11:
			b.WriteString(`<x:t>`)
			text(arg)
			b.WriteString(`</x:t>`)
			i += len(arg)
		case 12:
			b.WriteString(`<w:pPr><w:pStyle w:val="a&gt;b"/></w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs>`)
		case 13:
			b.WriteString("\n  ")
		case 14:
			b.WriteString(`<w:br w:type="textWrapping" w:clear="all"/>`)
		default:
			b.WriteString(`<mc:AlternateContent><mc:Choice Requires="wps"><w:txbxContent><w:p><w:r><w:t>box</w:t></w:r></w:p></w:txbxContent></mc:Choice></mc:AlternateContent>`)
		}
	}
	if inP {
		b.WriteString("</w:p>")
	}
	b.WriteString(`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>`)
	return b.Bytes()
}

// wordTextXML reads a well-formed body with encoding/xml as wordText
// reads it: the character data of t elements, a line per paragraph, tabs
// and breaks; the lead ends at the first page break.
func wordTextXML(doc []byte) (string, int, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	var text []byte
	var open []string
	lead := -1
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return string(text), lead, nil
		}
		if err != nil {
			return "", 0, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			open = append(open, tok.Name.Local)
			switch tok.Name.Local {
			case "tab":
				text = append(text, '\t')
			case "br", "cr":
				text = append(text, '\n')
				for _, a := range tok.Attr {
					if tok.Name.Local == "br" && a.Name.Local == "type" && a.Value == "page" && lead < 0 {
						lead = len(text)
					}
				}
			case "lastRenderedPageBreak":
				if lead < 0 {
					lead = len(text)
				}
			}
		case xml.EndElement:
			open = open[:len(open)-1]
			if tok.Name.Local == "p" {
				text = append(text, '\n')
			}
		case xml.CharData:
			if len(open) > 0 && open[len(open)-1] == "t" {
				text = append(text, tok...)
			}
		}
	}
}
