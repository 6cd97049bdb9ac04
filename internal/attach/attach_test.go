package attach

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCorpus reads files written by LibreOffice, Info-ZIP and iconv (see
// testdata/README.md).
func TestCorpus(t *testing.T) {
	quote := []string{"株式会社青葉食品 御中", "山田部長", "プロジェクト桜", "1234 5678 9018", "4111 1111 1111 1111", "Project Sakura"}
	firstPage := []string{"株式会社青葉食品 御中", "山田部長"}
	jtext := []string{"株式会社青葉食品 御中", "プロジェクト桜の資料です。"}
	tests := []struct {
		file      string
		kind      Kind
		text      []string
		lead      []string
		notInLead string
		encrypted []string
	}{
		{file: "quote.docx", kind: KindDOCX, text: quote, lead: firstPage, notInLead: "1234 5678 9018"},
		{file: "quote.odt", kind: KindODF, text: quote, lead: firstPage, notInLead: "1234 5678 9018"},
		{file: "quote.pdf", kind: KindPDF, text: quote, lead: firstPage, notInLead: "1234 5678 9018"},
		{file: "quote.rtf", kind: KindRTF, text: quote, lead: firstPage},
		{file: "list.xlsx", kind: KindXLSX, text: []string{"青葉食品様 顧客一覧", "佐藤一郎\t03-1234-5671", "伊藤四郎\t03-1234-5675", "プロジェクト桜 原価"}, lead: []string{"青葉食品様"}, notInLead: "プロジェクト桜"},
		{file: "list.ods", kind: KindODF, text: []string{"青葉食品様 顧客一覧", "佐藤一郎\t03-1234-5671", "4111111111111111", "プロジェクト桜 原価"}, lead: []string{"青葉食品様"}, notInLead: "プロジェクト桜"},
		{file: "deck.pptx", kind: KindPPTX, text: []string{"株式会社青葉食品様 ご提案", "プロジェクト桜 ロードマップ"}, lead: []string{"青葉食品様"}, notInLead: "プロジェクト桜"},
		{file: "deck.odp", kind: KindODF, text: []string{"株式会社青葉食品様 ご提案", "プロジェクト桜 ロードマップ"}, lead: []string{"青葉食品様"}, notInLead: "プロジェクト桜"},
		{file: "plain.zip", kind: KindZIP, text: append([]string{"quote.docx", "deck.pptx", "プロジェクト桜 ロードマップ"}, quote...), lead: firstPage},
		{file: "ppap.zip", kind: KindZIP, text: []string{"quote.docx", "list.xlsx"}, encrypted: []string{"quote.docx", "list.xlsx"}},
		{file: "quote-encrypted.pdf", kind: KindPDF, encrypted: []string{"."}},
		// What is printed around the body or beside the slides: headers,
		// footers, footnotes, endnotes, comments, speaker notes.
		{file: "header.docx", kind: KindDOCX, text: []string{"社外秘 プロジェクト桜", "経営企画部限り", "脚注の機密事項", "文末脚注の機密事項", "コメントの機密事項"}},
		{file: "header.odt", kind: KindODF, text: []string{"社外秘 プロジェクト桜", "経営企画部限り", "脚注の機密事項", "文末脚注の機密事項", "コメントの機密事項"}},
		{file: "header.xlsx", kind: KindXLSX, text: []string{"株式会社青葉食品\t03-1234-5671\n社外秘\tプロジェクト桜\n経営企画部限り & 関係者\n"}},
		{file: "header.ods", kind: KindODF, text: []string{"社外秘\nプロジェクト桜\n経営企画部限り & 関係者\n"}},
		{file: "notes.pptx", kind: KindPPTX, text: []string{"話す内容: プロジェクト桜 の原価には触れない"}, lead: []string{"ご提案"}, notInLead: "プロジェクト桜"},
		{file: "notes.odp", kind: KindODF, text: []string{"話す内容: プロジェクト桜 の原価には触れない"}},
		{file: "utf8.txt", kind: KindText, text: jtext, lead: jtext},
		{file: "sjis.txt", kind: KindText, text: jtext},
		{file: "eucjp.txt", kind: KindText, text: jtext},
		{file: "jis.txt", kind: KindText, text: jtext},
		{file: "utf16le.txt", kind: KindText, text: jtext},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := Read(context.Background(), tt.file, "application/octet-stream", readFile(t, tt.file), Limits{})
			if res.Kind != tt.kind {
				t.Errorf("kind %s, want %s", res.Kind, tt.kind)
			}
			if len(res.Problems) > 0 {
				t.Errorf("problems %v", res.Problems)
			}
			for _, w := range tt.text {
				if !strings.Contains(res.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, res.Text)
				}
			}
			for _, w := range tt.lead {
				if !strings.Contains(res.Lead, w) {
					t.Errorf("lead lacks %q:\n%s", w, res.Lead)
				}
			}
			if tt.notInLead != "" && strings.Contains(res.Lead, tt.notInLead) {
				t.Errorf("lead runs past the first page: %q", res.Lead)
			}
			if strings.Join(res.Encrypted, ",") != strings.Join(tt.encrypted, ",") {
				t.Errorf("encrypted %v, want %v", res.Encrypted, tt.encrypted)
			}
		})
	}
}

// zipOf makes a ZIP of name, content pairs (deflated).
func zipOf(t testing.TB, files ...string) []byte {
	t.Helper()
	return buildZip(t, false, files...)
}

// buildZip makes a ZIP of name, content pairs (deflated); with sjis, the
// names are in Shift_JIS (CP932) without the UTF-8 flag, as Japanese
// Windows writes them.
func buildZip(t testing.TB, sjis bool, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		h := &zip.FileHeader{Name: files[i], Method: zip.Deflate}
		if sjis {
			name, err := japanese.ShiftJIS.NewEncoder().String(files[i])
			if err != nil {
				t.Fatal(err)
			}
			h.Name, h.NonUTF8 = name, true
		}
		f, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(files[i+1]))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// docxOf makes a minimal Word document of paragraphs.
func docxOf(t testing.TB, paras ...string) []byte {
	var x strings.Builder
	x.WriteString(`<?xml version="1.0"?><w:document xmlns:w="w"><w:body>`)
	for _, p := range paras {
		if p == "\f" {
			x.WriteString(`<w:p><w:r><w:br w:type="page"/></w:r></w:p>`)
			continue
		}
		x.WriteString(`<w:p><w:r><w:t xml:space="preserve">` + p + `</w:t></w:r></w:p>`)
	}
	x.WriteString(`</w:body></w:document>`)
	return zipOf(t, "[Content_Types].xml", "<Types/>", "word/document.xml", x.String())
}

func TestOfficeDetails(t *testing.T) {
	docx := zipOf(t, "[Content_Types].xml", "<Types/>", "word/document.xml",
		`<w:document><w:body><w:p><w:r><w:t>A&amp;B &#x682A;&#24335;</w:t></w:r><w:r><w:tab/><w:t>x</w:t></w:r>`+
			`<w:del><w:r><w:delText>removed</w:delText></w:r></w:del><w:r><w:instrText>HYPERLINK</w:instrText></w:r></w:p>`+
			`<w:p><w:r><w:lastRenderedPageBreak/><w:t><![CDATA[page <two>]]></w:t></w:r></w:p></w:body></w:document>`)
	xlsx := zipOf(t, "[Content_Types].xml", "<Types/>", "xl/workbook.xml", "<workbook/>",
		"xl/sharedStrings.xml", `<sst><si><t>青葉</t><rPh><t>アオバ</t></rPh></si><si><r><t>食</t></r><r><t>品</t></r></si><si/></sst>`,
		"xl/worksheets/sheet2.xml", `<worksheet><sheetData><row><c t="inlineStr"><is><t>second</t></is></c></row></sheetData></worksheet>`,
		"xl/worksheets/sheet1.xml", `<worksheet><sheetData><row><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c t="s"><v>99</v></c><c><v>4111111111111111</v></c></row></sheetData></worksheet>`)
	pptx := zipOf(t, "[Content_Types].xml", "<Types/>", "ppt/presentation.xml", "<p/>",
		"ppt/slides/slide10.xml", `<p:sld><a:p><a:r><a:t>ten</a:t></a:r></a:p></p:sld>`,
		"ppt/slides/slide2.xml", `<p:sld><a:p><a:r><a:t>two</a:t></a:r></a:p></p:sld>`,
		"ppt/slides/slide1.xml", `<p:sld><a:p><a:r><a:t>one</a:t></a:r><a:br/><a:r><a:t>line</a:t></a:r></a:p></p:sld>`)
	// Headers in their numbered order (2 before 10) after the body, then
	// footers, footnotes, endnotes and comments; other parts are not text.
	docxParts := zipOf(t, "[Content_Types].xml", "<Types/>",
		"word/comments.xml", `<w:comments><w:comment><w:p><w:r><w:t>comment</w:t></w:r></w:p></w:comment></w:comments>`,
		"word/header10.xml", `<w:hdr><w:p><w:r><w:t>header ten</w:t></w:r></w:p></w:hdr>`,
		"word/footnotes.xml", `<w:footnotes><w:footnote w:type="separator"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote><w:p><w:r><w:t>note</w:t></w:r></w:p></w:footnote></w:footnotes>`,
		"word/header2.xml", `<w:hdr><w:p><w:r><w:t>社外秘</w:t></w:r><w:r><w:tab/><w:t>x</w:t></w:r></w:p></w:hdr>`,
		"word/footer1.xml", `<w:ftr><w:p><w:r><w:t>footer</w:t></w:r></w:p></w:ftr>`,
		"word/endnotes.xml", `<w:endnotes><w:endnote><w:p><w:r><w:t>end</w:t></w:r></w:p></w:endnote></w:endnotes>`,
		"word/styles.xml", `<w:styles><w:style><w:name w:val="header"/><w:t>not text</w:t></w:style></w:styles>`,
		"word/document.xml", `<w:document><w:body><w:p><w:r><w:t>body</w:t></w:r></w:p></w:body></w:document>`)
	xlsxHF := zipOf(t, "[Content_Types].xml", "<Types/>", "xl/workbook.xml", "<workbook/>",
		"xl/worksheets/sheet1.xml", `<worksheet><sheetData><row><c t="inlineStr"><is><t>cell</t></is></c></row></sheetData>`+
			`<headerFooter differentFirst="1"><oddHeader>&amp;L&amp;"Arial,Bold"&amp;14社外秘&amp;C&amp;A&amp;R&amp;P / &amp;N</oddHeader>`+
			`<oddFooter>&amp;C&amp;KFF0000R&amp;&amp;D dept</oddFooter><firstHeader>&amp;L&amp;K01+033first</firstHeader><evenFooter>&amp;P</evenFooter></headerFooter></worksheet>`)
	pptxNotes := zipOf(t, "[Content_Types].xml", "<Types/>", "ppt/presentation.xml", "<p/>",
		"ppt/notesSlides/notesSlide1.xml", `<p:notes><a:p><a:r><a:t>say this</a:t></a:r></a:p></p:notes>`,
		"ppt/slides/slide1.xml", `<p:sld><a:p><a:r><a:t>one</a:t></a:r></a:p></p:sld>`)
	// The headers and footers of an OpenDocument file's master pages are
	// in styles.xml; what fields fill in when printing is left out.
	odtHF := zipOf(t, "mimetype", "application/vnd.oasis.opendocument.text", "META-INF/manifest.xml", "<manifest:manifest/>",
		"content.xml", `<office:document-content><office:body><office:text><text:p>body</text:p></office:text></office:body></office:document-content>`,
		"styles.xml", `<office:document-styles><office:automatic-styles><style:page-layout><style:header-style/></style:page-layout></office:automatic-styles>`+
			`<office:master-styles><style:master-page><style:header><text:p>社外秘<text:tab/>x</text:p></style:header>`+
			`<style:footer><text:p><text:page-number>1</text:page-number></text:p><text:p>dept <text:sheet-name>???</text:sheet-name></text:p></style:footer>`+
			`<style:header-left style:display="false"/></style:master-page></office:master-styles></office:document-styles>`)
	odtEnc := zipOf(t, "mimetype", "application/vnd.oasis.opendocument.text", "META-INF/manifest.xml",
		`<manifest:manifest><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/></manifest:file-entry></manifest:manifest>`,
		"content.xml", "\x00\x01garbage")
	tests := []struct {
		name      string
		data      []byte
		text      string
		lead      string
		encrypted bool
	}{
		{"a.docx", docx, "A&B 株式\tx\npage <two>\n", "A&B 株式\tx\n", false},
		{"a.xlsx", xlsx, "青葉\t食品\t4111111111111111\nsecond\n", "青葉\t食品\t4111111111111111\n", false},
		{"a.pptx", pptx, "one\nline\n" + "two\n" + "ten\n", "one\nline\n", false},
		{"parts.docx", docxParts, "body\n社外秘\tx\nheader ten\nfooter\n\nnote\nend\ncomment\n", "body\n社外秘\tx\nheader ten\nfooter\n\nnote\nend\ncomment\n", false},
		{"hf.xlsx", xlsxHF, "cell\n社外秘\t/\nR&D dept\nfirst\n", "cell\n社外秘\t/\nR&D dept\nfirst\n", false},
		{"notes.pptx", pptxNotes, "one\nsay this\n", "one\n", false},
		{"hf.odt", odtHF, "body\n社外秘\tx\ndept\n", "body\n社外秘\tx\ndept\n", false},
		{"a.odt", odtEnc, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Read(context.Background(), tt.name, "", tt.data, Limits{})
			if res.Text != tt.text {
				t.Errorf("text %q, want %q", res.Text, tt.text)
			}
			if res.Lead != tt.lead {
				t.Errorf("lead %q, want %q", res.Lead, tt.lead)
			}
			if got := len(res.Encrypted) > 0; got != tt.encrypted {
				t.Errorf("encrypted %v, want %v", res.Encrypted, tt.encrypted)
			}
		})
	}
}

func TestKinds(t *testing.T) {
	cfb := append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 512)...)
	encOffice := append(bytes.Clone(cfb), utf16LE("EncryptedPackage")...)
	eml := "From: a@x.example\r\nTo: b@y.example\r\nSubject: =?UTF-2022?B?x?= 転送\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n本文 プロジェクト桜\r\n" +
		"--b\r\nContent-Type: text/html; name=\"a.html\"\r\n\r\n<html><body><p>HTML の<b>添付</b></p></body></html>\r\n--b--\r\n"
	tests := []struct {
		name, ctype string
		data        []byte
		kind        Kind
		text        string
		reason      Reason
		encrypted   bool
	}{
		{"a.html", "text/html", []byte("<html><head><title>t</title></head><body><p>見積&amp;請求</p><script>x</script></body></html>"), KindHTML, "見積&請求\n", "", false},
		{"a.rtf", "", []byte(`{\rtf1\ansi\ansicpg932{\fonttbl{\f0 MS Mincho;}}{\*\generator x;}\f0 \'8a\'94\'8e\'ae\uc1\u20250?\u31038?\par Next\tab cell}`), KindRTF, "株式会社\nNext\tcell\n", "", false},
		{"fwd.eml", "message/rfc822", []byte(eml), KindMessage, "本文 プロジェクト桜", "", false},
		{"a.doc", "application/msword", cfb, KindOffice, "", Unsupported, false},
		{"secret.docx", "", encOffice, KindOffice, "", "", true},
		{"a.7z", "", []byte("7z\xBC\xAF\x27\x1C\x00\x04rest"), KindOther, "", Unsupported, false},
		{"photo.jpg", "image/jpeg", []byte("\xFF\xD8\xFF\xE0junk"), KindMedia, "", "", false},
		{"a.bin", "application/octet-stream", []byte("\x00\x01\x02\x03binary"), KindOther, "", Unsupported, false},
		{"broken.zip", "", []byte("PK\x03\x04 truncated"), KindZIP, "", Damaged, false},
		{"broken.pdf", "", []byte("%PDF-1.4 nothing"), KindPDF, "", Damaged, false},
		{"empty.txt", "text/plain", nil, KindText, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Read(context.Background(), tt.name, tt.ctype, tt.data, Limits{})
			if res.Kind != tt.kind {
				t.Errorf("kind %s, want %s", res.Kind, tt.kind)
			}
			if !strings.Contains(res.Text, tt.text) {
				t.Errorf("text %q lacks %q", res.Text, tt.text)
			}
			var reason Reason
			if len(res.Problems) > 0 {
				reason = res.Problems[0].Reason
			}
			if reason != tt.reason {
				t.Errorf("problems %v, want reason %q", res.Problems, tt.reason)
			}
			if got := len(res.Encrypted) > 0; got != tt.encrypted {
				t.Errorf("encrypted %v, want %v", res.Encrypted, tt.encrypted)
			}
		})
	}
}

// nest wraps data in n archives, each holding the one before.
func nest(t testing.TB, data []byte, n int) []byte {
	for i := 0; i < n; i++ {
		data = zipOf(t, "inner.zip", string(data))
	}
	return data
}

func TestLimits(t *testing.T) {
	zeros := string(make([]byte, 8<<20))
	bomb := zipOf(t, "zeros.txt", zeros)
	// 42.zip in small: 16 archives of 16 files of 8 MB of zeros each.
	var layer []string
	for i := 0; i < 16; i++ {
		layer = append(layer, "z"+string(rune('a'+i))+".txt", zeros[:1<<20]+zeros)
	}
	inner := zipOf(t, layer...)
	var outer []string
	for i := 0; i < 16; i++ {
		outer = append(outer, "l"+string(rune('a'+i))+".zip", string(inner))
	}
	fortyTwo := zipOf(t, outer...)
	var many []string
	for i := 0; i < 1500; i++ {
		many = append(many, strings.Repeat("d/", i%5)+"f"+string(rune('A'+i%26))+string(rune('0'+i%10))+".txt", "")
	}
	manyFiles := zipOf(t, many...)
	deep := nest(t, docxOf(t, "奥"), 100)
	fwd := []byte("Subject: end\r\n\r\nbottom")
	for i := 0; i < 100; i++ {
		fwd = append([]byte("Subject: fwd\r\nContent-Type: message/rfc822\r\n\r\n"), fwd...)
	}
	big := zipOf(t, "big.txt", noise(2<<20))
	tests := []struct {
		name   string
		data   []byte
		lim    Limits
		reason Reason
	}{
		{"ratio bomb", bomb, Limits{}, Bomb},
		{"42.zip", fortyTwo, Limits{}, Bomb},
		{"too many files", manyFiles, Limits{}, Bomb},
		{"nested 100 deep", deep, Limits{}, TooDeep},
		{"forwarded 100 deep", fwd, Limits{}, TooDeep},
		{"file too large", big, Limits{MaxFileBytes: 1 << 20}, TooLarge},
		{"total too large", zipOf(t, "a.txt", strings.Repeat("あ", 1<<18), "b.txt", strings.Repeat("い", 1<<18)), Limits{MaxTotalBytes: 1 << 20}, TooLarge},
		{"text too long", big, Limits{MaxTextBytes: 1000}, TooLarge},
		{"a Word header past the total", zipOf(t, "[Content_Types].xml", "<Types/>",
			"word/document.xml", "<w:p><w:r><w:t>"+noise(600<<10)+"</w:t></w:r></w:p>",
			"word/header1.xml", "<w:p><w:r><w:t>"+noise(600<<10)+"</w:t></w:r></w:p>"), Limits{MaxTotalBytes: 1 << 20}, TooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			name := "a.zip"
			if tt.name == "forwarded 100 deep" {
				name = "a.eml"
			}
			res := Read(context.Background(), name, "", tt.data, tt.lim)
			if len(res.Problems) == 0 || !hasReason(res.Problems, tt.reason) {
				t.Fatalf("problems %v, want %s", res.Problems, tt.reason)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
			lim := tt.lim.withDefaults()
			if len(res.Text) > lim.MaxTextBytes || !utf8.ValidString(res.Text) {
				t.Errorf("text of %d octets, valid %v", len(res.Text), utf8.ValidString(res.Text))
			}
		})
	}
}

// noise is n octets of text that compresses about as little as prose.
func noise(n int) string {
	var b strings.Builder
	x := uint32(15)
	for b.Len() < n {
		x = x*1664525 + 1013904223
		b.WriteRune(rune(0x4E00 + x>>16%2000))
	}
	return b.String()
}

var farFuture = time.Now().Add(time.Hour)

func hasReason(ps []Problem, r Reason) bool {
	for _, p := range ps {
		if p.Reason == r {
			return true
		}
	}
	return false
}

func TestTimeout(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := Read(ctx, "a.docx", "", docxOf(t, "x"), Limits{})
	if !hasReason(res.Problems, Timeout) {
		t.Fatalf("problems %v, want timeout", res.Problems)
	}
}

func TestShiftJISNames(t *testing.T) {
	// Info-ZIP and Windows write names in the local code page, unflagged.
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, _ := w.CreateHeader(&zip.FileHeader{Name: "\x90\xc2\x97\x74\x90\x48\x95\x69.txt", Method: zip.Deflate, NonUTF8: true}) // 青葉食品.txt
	f.Write([]byte("x"))
	w.Close()
	res := Read(context.Background(), "a.zip", "", buf.Bytes(), Limits{})
	if !strings.Contains(res.Text, "青葉食品.txt") {
		t.Fatalf("text %q", res.Text)
	}
}

func TestValidUTF8(t *testing.T) {
	// Every pair of a non-ASCII octet and another, then an octet of each
	// kind that matters, at places in a word and across words, after ASCII
	// and after a kanji.
	thirds := []int{0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xE3, 0xED, 0xF0, 0xFF}
	for _, before := range []string{"", "a", "abcdef", "abcdefg", "株式"} {
		s := append([]byte(before), 0, 0, 0)
		s = append(s, "hijklmn株式会社"...)
		at := len(before)
		for c0 := 0x80; c0 < 0x100; c0++ {
			for c1 := 0; c1 < 0x100; c1++ {
				for _, c2 := range thirds {
					s[at], s[at+1], s[at+2] = byte(c0), byte(c1), byte(c2)
					if validUTF8(s) != utf8.Valid(s) {
						t.Fatalf("% x: %v, utf8.Valid %v", s, validUTF8(s), utf8.Valid(s))
					}
				}
			}
		}
	}
	for _, s := range []string{"", "株式会社", "株式会社株式会社株式会社", "\xed\xa0\x80", "\xe0\x80\x80", "\xf4\x90\x80\x80", "\xf0\x9f\x98\x80",
		"abcdefgh\xe3\x81", "abcdefg\xe3\x81\x82", "abcdef\xe3\x81\x82", "abcdefghi", "é漢字éé漢字漢字abcdefghijklmnop漢", "漢字漢\xe5"} {
		if validUTF8([]byte(s)) != utf8.ValidString(s) {
			t.Errorf("%q: %v", s, validUTF8([]byte(s)))
		}
	}
	if !validUTF8(readFile(t, "golden/bench50k.docx.txt")) {
		t.Error("the golden text is not valid")
	}
}

func FuzzValidUTF8(f *testing.F) {
	f.Add([]byte("株式会社\xe3\x81abcdefgh"))
	f.Add([]byte("é漢字éé漢字漢字abcdefghijklmnop漢😀"))
	f.Fuzz(func(t *testing.T, s []byte) {
		if validUTF8(s) != utf8.Valid(s) {
			t.Fatalf("% x: %v", s, validUTF8(s))
		}
	})
}
