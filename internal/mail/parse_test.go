package mail

import (
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

func TestParse(t *testing.T) {
	jis, err := japanese.ISO2022JP.NewEncoder().String("田中です。よろしく")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, raw   string
		from, to0   string
		ntos        int
		text, attch string
	}{
		{"plain", "From: A <A@Corp.Example>\r\nTo: b@x.example, c@y.example\r\nSubject: hi\r\nMessage-ID: <id1@x>\r\n\r\nhello\r\n",
			"a@corp.example", "b@x.example", 2, "hello", ""},
		{"enron double dot salvaged", "From: a@enron.com\nTo: k..allen@enron.com, bob@enron.com,\n\nbody\n",
			"a@enron.com", "k..allen@enron.com", 2, "body", ""},
		{"quoted local part salvaged beside a broken one", "From: a@corp.example\nTo: \"x y\" <\"a..b\"@corp.example>, .ken@corp.example\n\nbody\n",
			"a@corp.example", "a..b@corp.example", 2, "body", ""},
		{"iso-2022-jp", "From: =?UTF-8?B?55Sw5Lit?= <t@x.jp>\nTo: u@y.jp\nContent-Type: text/plain; charset=ISO-2022-JP\n\n" + jis + "\n",
			"t@x.jp", "u@y.jp", 1, "田中です。よろしく", ""},
		{"attachment", "From: a@b.c\nTo: d@e.f\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain\n\nbody\n--XX\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*=UTF-8''%E8%A6%8B%E7%A9%8D.pdf\nContent-Transfer-Encoding: base64\n\nAAAA\n--XX--\n",
			"a@b.c", "d@e.f", 1, "body", "見積.pdf"},
		{"html only", "From: a@b.c\nTo: d@e.f\nContent-Type: text/html\n\n<p>Hi &amp; bye</p>\n",
			"a@b.c", "d@e.f", 1, "Hi & bye", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(strings.NewReader(tt.raw), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if m.From.Addr != tt.from || len(m.To) != tt.ntos || m.To[0].Addr != tt.to0 {
				t.Errorf("from %q to %v", m.From.Addr, m.To)
			}
			if !strings.Contains(m.Text, tt.text) {
				t.Errorf("text %q, want %q", m.Text, tt.text)
			}
			if tt.attch != "" && (len(m.Attachments) != 1 || m.Attachments[0].Filename != tt.attch) {
				t.Errorf("attachments %+v", m.Attachments)
			}
			if m.Size != len(tt.raw) {
				t.Errorf("size %d", m.Size)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	big := "From: a@b.c\nX: " + strings.Repeat("x", 200<<10) + "\n\nbody\n"
	if _, err := Parse(strings.NewReader(big), Limits{}); !errors.Is(err, ErrHeaderTooLarge) || !strings.Contains(err.Error(), "header exceeds") {
		t.Errorf("err %v", err)
	}
	lim := Limits{MaxMessageBytes: 200, MaxHeaderBytes: 50, MaxDepth: 1, MaxParts: 3, MaxTextBytes: 10}
	if _, err := Parse(strings.NewReader(strings.Repeat("x", 201)), lim); !errors.Is(err, ErrTooLarge) {
		t.Errorf("err %v, want too large", err)
	}
	nested := "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n--a--\n"
	if _, err := Parse(strings.NewReader(nested), lim); !errors.Is(err, ErrTooDeep) {
		t.Errorf("err %v, want too deep", err)
	}
	parts := "Content-Type: multipart/mixed; boundary=a\n\n--a\n\n1\n--a\n\n2\n--a\n\n3\n--a--\n"
	if _, err := Parse(strings.NewReader(parts), lim); !errors.Is(err, ErrTooManyParts) {
		t.Errorf("err %v, want too many parts", err)
	}
}

// TestISO2022JPSplitWord: escape sequences between the halves of a word
// (switching to ASCII and back) must not survive decoding, in the body and
// in encoded words, so 個人情報 reads as one word.
func TestISO2022JPSplitWord(t *testing.T) {
	enc := japanese.ISO2022JP.NewEncoder()
	a, _ := enc.String("個人")
	b, _ := enc.String("情報")
	if !strings.HasPrefix(a, "\x1b$B") || !strings.HasSuffix(a, "\x1b(B") {
		t.Fatalf("encoder output %q lacks escapes", a)
	}
	subjA := "=?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte(a)) + "?="
	subjB := "=?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte(b)) + "?="
	tests := []struct{ name, raw, want string }{
		{"body, declared", "From: a@b.c\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n" + a + b + "\r\n", "個人情報"},
		{"body, escape without switching", "From: a@b.c\r\nContent-Type: text/plain; charset=iso-2022-jp\r\n\r\n\x1b$B8D?M\x1b$B>pJs\x1b(B\r\n", "個人情報"},
		{"body, undeclared", "From: a@b.c\r\n\r\n" + a + b + "\r\n", "個人情報"},
		{"base64 body", "From: a@b.c\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			base64.StdEncoding.EncodeToString([]byte(a+b)) + "\r\n", "個人情報"},
		{"subject, two encoded words", "From: a@b.c\r\nSubject: " + subjA + "\r\n " + subjB + "\r\n\r\nx\r\n", "個人情報"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(strings.NewReader(tt.raw), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			got := m.Text
			if strings.HasPrefix(tt.name, "subject") {
				got = m.Subject
			}
			if !strings.Contains(got, tt.want) || strings.ContainsRune(got, 0x1b) {
				t.Errorf("got %q, want it to contain %q and no escapes", got, tt.want)
			}
		})
	}
}

// TestParseProblems: damage that can be worked around is named on the
// message rather than passed on silently.
func TestParseProblems(t *testing.T) {
	tests := []struct{ name, raw, problem, text string }{
		{"unknown body charset", "From: a@b.c\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nqapla\xff\r\n", `unknown charset "x-klingon"`, "qapla\uFFFD"},
		{"unknown charset in a part", "From: a@b.c\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nqapla\r\n--B--\r\n", `unknown charset "x-klingon"`, "qapla"},
		{"unknown transfer encoding", "From: a@b.c\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbody\r\n", "unknown transfer encoding", "body"},
		{"bad quoted-printable", "From: a@b.c\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\na=ZZb=3Dc\r\n", "quoted-printable", "a=ZZb=c"},
		{"bad base64", "From: a@b.c\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=@@@\r\n", "bad base64", ""},
		{"malformed header line", "From: a@b.c\r\nthis is not a field\r\nTo: d@e.f\r\n\r\nbody\r\n", "malformed lines", "body"},
		{"missing closing boundary", "From: a@b.c\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n\r\npart one\r\n", "closing boundary", "part one"},
		{"multipart without boundary", "From: a@b.c\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\n\r\nhi\r\n", "without boundary", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(strings.NewReader(tt.raw), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(m.Problems, "\n"), tt.problem) {
				t.Errorf("problems %q, want one mentioning %q", m.Problems, tt.problem)
			}
			if !strings.Contains(m.Text, tt.text) {
				t.Errorf("text %q, want %q", m.Text, tt.text)
			}
		})
	}
}

func TestParseCharsets(t *testing.T) {
	sjis, _ := japanese.ShiftJIS.NewEncoder().String("見積書を送ります")
	euc, _ := japanese.EUCJP.NewEncoder().String("見積書を送ります")
	for _, tt := range []struct{ label, body string }{
		{"Shift_JIS", sjis}, {"x-sjis", sjis}, {"cp932", sjis}, {"EUC-JP", euc}, {"x-euc-jp", euc},
	} {
		m, err := Parse(strings.NewReader("From: a@b.c\r\nContent-Type: text/plain; charset=\""+tt.label+"\"\r\n\r\n"+tt.body+"\r\n"), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Text, "見積書を送ります") || len(m.Problems) > 0 {
			t.Errorf("%s: text %q problems %q", tt.label, m.Text, m.Problems)
		}
	}
}

func TestParseNotMessage(t *testing.T) {
	for _, raw := range []string{"\x89PNG\r\n\x1a\n\x00\x00", "just some notes\nTo: x@y\n", " leading blank: x\n"} {
		if _, err := Parse(strings.NewReader(raw), Limits{}); !errors.Is(err, ErrNotMessage) {
			t.Errorf("%q: err %v, want not a message", raw, err)
		}
	}
	// An mbox "From " line before the header is tolerated.
	m, err := Parse(strings.NewReader("From a@b.c Mon Jan  1 00:00:00 2024\nFrom: a@b.c\nTo: d@e.f\n\nhi\n"), Limits{})
	if err != nil || m.From.Addr != "a@b.c" || len(m.To) != 1 {
		t.Errorf("mbox From line: %+v %v", m, err)
	}
}

func TestParseHeaders(t *testing.T) {
	raw := "From: \"Tanaka, Taro\" <T.Tanaka@Corp.Example>\r\n" +
		"To: a@x.example,\r\n  B  Person <b@y.example>\r\n" +
		"To: c@z.example\r\n" +
		"Cc: =?UTF-8?B?55Sw5Lit?= <d@x.example>, (comment) e@x.example\r\n" +
		"Subject: long\r\n\tfolded   subject\r\n" +
		"Date: Mon, 2 Jan 2006 15:04:05 +0900 (JST)\r\n\r\nbody\r\n"
	m, err := Parse(strings.NewReader(raw), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a@x.example", "b@y.example", "c@z.example"}
	if len(m.To) != 3 || m.To[0].Addr != want[0] || m.To[1].Addr != want[1] || m.To[2].Addr != want[2] || m.To[1].Name != "B Person" {
		t.Errorf("to %+v", m.To)
	}
	if m.From.Addr != "t.tanaka@corp.example" || m.From.Name != "Tanaka, Taro" {
		t.Errorf("from %+v", m.From)
	}
	if len(m.Cc) != 2 || m.Cc[0].Name != "田中" || m.Cc[1].Addr != "e@x.example" {
		t.Errorf("cc %+v", m.Cc)
	}
	if m.Subject != "long folded   subject" {
		t.Errorf("subject %q", m.Subject)
	}
	if m.Date.IsZero() || m.Date.UTC().Hour() != 6 {
		t.Errorf("date %v", m.Date)
	}
}

func TestHTMLToText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<p>Hi &amp; bye</p>", "Hi & bye"},
		{"<html><head><title>t</title><style>p{color:red}</style></head><body><p>田中様</p><p>お世話に<b>なって</b>おります。</p></body></html>", "田中様\nお世話になっております。"},
		{"a<script type=\"text/javascript\">alert('x<y>')</script>b", "ab"},
		{"a<SCRIPT>never closed", "a"},
		{"x<!-- hidden <p>text</p> -->y", "xy"},
		{"&lt;b&gt;not a tag&lt;/b&gt; &eacute;t&#233; &#x500B;&#20154;", "<b>not a tag</b> été 個人"},
		{"1 < 2 and 3 > 2", "1 < 2 and 3 > 2"},
		{"line<br>next<br/>last", "line\nnext\nlast"},
		{"<td>a</td><td>b</td>", "a b"},
	}
	for _, tt := range tests {
		if got := htmlToText(tt.in); got != tt.want {
			t.Errorf("htmlToText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLooksLikeMessage(t *testing.T) {
	for _, tt := range []struct {
		head string
		want bool
	}{
		{"From: a@b.c\r\n", true},
		{"Return-Path: <a@b.c>\nReceived: from x", true},
		{"From a@b Mon Jan  1 00:00:00 2024\nFrom: a@b.c\n", true},
		{"%PDF-1.4\n%\xe2\xe3", false},
		{"\x89PNG\r\n\x1a\n", false},
		{"Subject: x\n\x00\x00binary", false},
		{"maildir size: 1024\n", false},
		{"", false},
		{"\n\nbody", false},
	} {
		if got := LooksLikeMessage([]byte(tt.head)); got != tt.want {
			t.Errorf("LooksLikeMessage(%q) = %v", tt.head, got)
		}
	}
}

// TestParseHeaderBytes: the header alone gives what the whole message
// gives of its header, refuses what is refused for the header or size,
// and takes mail refused only for its body's structure.
func TestParseHeaderBytes(t *testing.T) {
	lim := Limits{MaxMessageBytes: 400, MaxHeaderBytes: 120, MaxDepth: 1, MaxParts: 3, MaxTextBytes: 10}
	tests := []struct {
		name, raw string
		refused   error // of ParseHeaderBytes; nil when it takes the message
		body      bool  // whether ParseBytes takes it too
	}{
		{"plain", "From: A <A@Corp.Example>\r\nTo: b@x.example, c@y.example\r\nCc: d@z.example\r\nDate: Mon, 2 Jan 2006 15:04:05 -0700\r\n\r\nhello\r\n", nil, true},
		{"attachment", "From: a@b.c\nTo: d@e.f\nBcc: g@h.i\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\n\nbody\n--XX\nContent-Disposition: attachment; filename=a.pdf\n\nAAAA\n--XX--\n", nil, true},
		{"broken header line", "From: a@b.c\nnot a field\nTo: d@e.f\n\nx\n", nil, true},
		{"too deep", "From: a@b.c\nContent-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n--a--\n", nil, false},
		{"too many parts", "From: a@b.c\nContent-Type: multipart/mixed; boundary=a\n\n--a\n\n1\n--a\n\n2\n--a\n\n3\n--a--\n", nil, false},
		{"too large", "From: a@b.c\n\n" + strings.Repeat("x", 400), ErrTooLarge, false},
		{"header too large", "From: a@b.c\nX: " + strings.Repeat("x", 120) + "\n\nbody\n", ErrHeaderTooLarge, false},
		{"not a message", "hello\n\nworld\n", ErrNotMessage, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseHeaderBytes([]byte(tt.raw), lim)
			if tt.refused != nil {
				if !errors.Is(err, tt.refused) {
					t.Fatalf("err %v, want %v", err, tt.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.From.Addr != "a@b.c" && h.From.Addr != "a@corp.example" || h.Text != "" || h.Attachments != nil {
				t.Errorf("from %q, text %q, attachments %v", h.From.Addr, h.Text, h.Attachments)
			}
			m, err := ParseBytes([]byte(tt.raw), lim)
			if (err == nil) != tt.body {
				t.Fatalf("ParseBytes: err %v", err)
			}
			if err == nil {
				if want := headerOnly(m, len(h.Problems)); !reflect.DeepEqual(h, want) {
					t.Errorf("header\n%+v\nwant\n%+v", h, want)
				}
			}
		})
	}
}

// headerOnly is m as ParseHeaderBytes gives it, the header having raised
// the first n problems.
func headerOnly(m *Message, n int) *Message {
	h := *m
	h.Text, h.Attachments = "", nil
	h.Problems = m.Problems[:min(n, len(m.Problems)):min(n, len(m.Problems))]
	if len(h.Problems) == 0 {
		h.Problems = nil
	}
	return &h
}

// TestRecipients: each address once, in the order it first comes, in
// short lists and in long ones.
func TestRecipients(t *testing.T) {
	a := func(s ...string) []Address {
		var out []Address
		for _, x := range s {
			out = append(out, Address{Addr: x})
		}
		return out
	}
	var long, longWant []string
	for i := range 40 {
		x := fmt.Sprintf("p%d@x.example", i%25)
		long = append(long, x)
		if i < 25 {
			longWant = append(longWant, x)
		}
	}
	tests := []struct {
		name        string
		to, cc, bcc []Address
		want        []Address
	}{
		{"none", nil, nil, nil, nil},
		{"empty addresses only", a(""), a(""), nil, nil},
		{"merged in order", a("b@x", "a@x"), a("c@x", "b@x"), a("a@x", "d@x"), a("b@x", "a@x", "c@x", "d@x")},
		{"long", a(long[:20]...), a(long[20:]...), a(long[:3]...), a(longWant...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Recipients(tt.to, tt.cc, tt.bcc); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
