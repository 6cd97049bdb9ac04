package attach

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/klauspost/compress/zip"

	"github.com/misend/misend/internal/mail"
)

// Each fuzzer feeds one extractor through Read, with the name that picks
// it, and checks what every read must keep: no panic, text within its
// limit and valid UTF-8, a lead inside the text.
func fuzzRead(f *testing.F, name, ctype string, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s)
	}
	lim := Limits{MaxTextBytes: 64 << 10, MaxFileBytes: 4 << 20, MaxTotalBytes: 8 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		res := Read(context.Background(), name, ctype, data, lim)
		if len(res.Text) > lim.MaxTextBytes {
			t.Fatalf("text of %d octets", len(res.Text))
		}
		if !utf8.ValidString(res.Text) || len(res.Lead) > len(res.Text) {
			t.Fatalf("text %q, lead %q", res.Text, res.Lead)
		}
	})
}

func FuzzZip(f *testing.F) {
	fuzzRead(f, "a.zip", "", readFile(f, "plain.zip"), readFile(f, "ppap.zip"), zipOf(f, "a.txt", "x", "b.zip", string(zipOf(f, "c.txt", "y"))))
}

func FuzzOOXML(f *testing.F) {
	fuzzRead(f, "a.docx", "", readFile(f, "quote.docx"), readFile(f, "list.xlsx"), readFile(f, "deck.pptx"), readFile(f, "quote-labelled.docx"),
		readFile(f, "header.docx"), readFile(f, "header.xlsx"), readFile(f, "notes.pptx"))
}

func FuzzODF(f *testing.F) {
	fuzzRead(f, "a.odt", "", readFile(f, "quote.odt"), readFile(f, "list.ods"), readFile(f, "deck.odp"), readFile(f, "header.odt"), readFile(f, "header.ods"))
}

// FuzzEntry holds the files of any archive inflated in place (entry
// reading the archive's octets) to f.Open's reader: the same octets, the
// same problems.
func FuzzEntry(f *testing.F) {
	for _, s := range []string{"header.docx", "plain.zip", "quote.odt"} {
		f.Add(readFile(f, s))
	}
	f.Add(zipOf(f, "a.txt", "x", "b.txt", strings.Repeat("ab", 100)))
	f.Fuzz(func(t *testing.T, data []byte) {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil || len(zr.File) > 50 {
			return
		}
		sameInPlace(t, data, zr, Limits{MaxFileBytes: 4 << 20, MaxTotalBytes: 8 << 20}.withDefaults())
	})
}

// FuzzXMLText drives the XML text scanner directly: office XML inside a
// ZIP rarely reaches it mutated.
func FuzzXMLText(f *testing.F) {
	f.Add([]byte(`<w:p><w:r><w:t>a&amp;b&#x41;&#99999999;</w:t><w:br w:type="page"/></w:r></w:p><![CDATA[x`))
	f.Add([]byte(`<property name="MSIP_Label_2096f6a2-d2f7-48be-b329-b73aaa526e5d_Enabled"><vt:lpwstr>true</vt:lpwstr></property><clbl:label id="{2096f6a2-d2f7-48be-b329-b73aaa526e5d}" enabled="1" removed="0"/>`))
	f.Add([]byte(`<sst><si><t>x</t><rPh><t>y</t></rPh></si></sst><c t="s"><v>0</v></c>`))
	f.Add([]byte(`<style:header><text:p>a<text:page-number>1</text:page-number><text:s/></text:p></style:header><style:footer><text:p>`))
	f.Add([]byte(`<headerFooter><oddHeader>&amp;L&amp;"Arial,Bold"&amp;14a&amp;C&amp;K01+033b&amp;R&amp;P&amp;&amp;</oddHeader><oddFooter>&amp;"x</oddFooter></headerFooter>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := newReader(context.Background(), DefaultLimits, farFuture)
		r.sheet(data, sharedStrings(data))
		r.drawingML(data)
		r.odfHeaders(data)
		_ = appendHeaderFooter(nil, data)
		for _, l := range append(mail.MSIPLabels(customProperties(data)), labelInfo(data)...) {
			if !mail.IsGUID(l.ID) {
				t.Fatalf("label %q", l.ID)
			}
		}
		s := xmlScanner{data: data}
		for i := 0; ; i++ {
			tok, name, inside := s.next()
			if tok == xmlEOF {
				break
			}
			if i > len(data)+1 {
				t.Fatal("scanner does not advance")
			}
			_ = attr(inside, "type")
			_ = appendUnescaped(nil, name)
		}
	})
}

func FuzzPDF(f *testing.F) {
	fuzzRead(f, "a.pdf", "", readFile(f, "quote.pdf"), readFile(f, "quote-encrypted.pdf"),
		[]byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Kids[3 0 R]>>endobj 3 0 obj<</Type/Page/Contents 4 0 R>>endobj 4 0 obj<</Length 20>>stream\nBT (Hi) Tj [(a)-300(b)] TJ ET\nendstream endobj"))
}

func FuzzRTF(f *testing.F) {
	fuzzRead(f, "a.rtf", "", readFile(f, "quote.rtf"), []byte(`{\rtf1\ansicpg932{\*\x y}\'82\'a0\u-3000?{\fonttbl x}\par}`))
}

func FuzzText(f *testing.F) {
	fuzzRead(f, "a.txt", "text/plain", readFile(f, "sjis.txt"), readFile(f, "eucjp.txt"), readFile(f, "jis.txt"), readFile(f, "utf16le.txt"), []byte("<html><p>x</p>"))
}

func FuzzMessage(f *testing.F) {
	fuzzRead(f, "a.eml", "message/rfc822",
		[]byte("Subject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nbody\r\n--b--\r\n"))
}
