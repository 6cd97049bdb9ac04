package mail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	gomessage "github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // ISO-2022-JP, Shift_JIS, EUC-JP and the rest
	gomail "github.com/emersion/go-message/mail"
)

// The parser here works on raw octets for speed; go-message is the
// well-kept reference. On mail go-message reads without any error, both
// must agree on every field misend uses, after this normalisation:
//
//   - Addresses compare lower-cased (misend lower-cases them, go-message
//     keeps them as written); display names with runs of blanks as one space.
//   - Subject and display names compare with runs of white space as one
//     space and no blanks at either end (folding).
//   - Text compares with CRLF as LF and invalid UTF-8 as U+FFFD (misend
//     always hands out valid UTF-8).
//   - Dates compare as instants.
//
// And these deliberate differences are left out of the comparison:
//
//   - A field go-message refuses (an address list net/mail rejects, a
//     Message-ID or References that is not a list of <msg-id>, a Subject
//     with a bad encoded word, an unparseable Date) is not compared:
//     misend salvages what it can from it.
//   - Repeated To, Cc or Bcc fields: misend counts every one (mail clients
//     show them all), go-message reads one. Compared as sets of the
//     addresses of all the fields. Any other repeated field is skipped.
//   - Text is compared only when go-message finds a text/plain part:
//     misend reduces HTML-only mail to text, go-message does not.
//   - Text without a declared charset that holds ISO-2022-JP escapes:
//     misend decodes it (common in old Japanese mail), go-message keeps
//     the escapes.
//   - Text or part counts cut at a Limits cap.
//   - Input starting with a field without a name (":…"): go-message skips
//     the field, misend refuses the input as not a message.

// view is what the comparison looks at, normalised.
type view struct {
	From, Sender string
	Rcpt         map[string][]string // To, Cc, Bcc
	sorted       map[string]bool     // repeated: compare as sets
	Subject      string
	MessageID    string
	InReplyTo    string
	References   []string
	Date         time.Time
	Attachments  []string
	Text         string
	skip         map[string]string // field → why it is not compared
	hasText      bool
}

func (v *view) skipField(f, why string) {
	if v.skip == nil {
		v.skip = map[string]string{}
	}
	v.skip[f] = why
}

func normBlanks(s string) string { return strings.Join(strings.Fields(s), " ") }

func normText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\r\n", "\n")
}

func normAddr(name, addr string) string {
	return normBlanks(name) + " <" + strings.ToLower(addr) + ">"
}

// errNotCompared marks input go-message does not read without error.
type errNotCompared struct{ why string }

func (e errNotCompared) Error() string { return e.why }

// oracleView reads raw with go-message.
func oracleView(raw []byte) (*view, error) {
	ent, err := gomessage.Read(bytes.NewReader(raw))
	if err != nil {
		return nil, errNotCompared{fmt.Sprintf("go-message: %v", err)}
	}
	v := &view{}
	h := gomail.Header{Header: ent.Header}
	count := func(k string) int { return h.FieldsByKey(k).Len() }

	addrs := func(key string) ([]string, error) {
		var out []string
		fs := h.FieldsByKey(key)
		for fs.Next() {
			l, err := gomail.ParseAddressList(fs.Value())
			if err != nil {
				return nil, err
			}
			for _, a := range l {
				out = append(out, normAddr(a.Name, a.Address))
			}
		}
		return out, nil
	}
	one := func(key string) bool {
		if count(key) > 1 {
			v.skipField(key, "repeated")
			return false
		}
		return true
	}
	if one("From") {
		if l, err := addrs("From"); err != nil {
			v.skipField("From", err.Error())
		} else if len(l) > 0 {
			v.From = l[0]
		}
	}
	if one("Sender") {
		if l, err := addrs("Sender"); err != nil {
			v.skipField("Sender", err.Error())
		} else if len(l) > 0 {
			v.Sender = l[0]
		}
	}
	v.Rcpt, v.sorted = map[string][]string{}, map[string]bool{}
	for _, k := range []string{"To", "Cc", "Bcc"} {
		l, err := addrs(k)
		if err != nil {
			v.skipField(k, err.Error())
			continue
		}
		if count(k) > 1 {
			slices.Sort(l)
			v.sorted[k] = true
		}
		v.Rcpt[k] = l
	}
	if one("Subject") {
		if s, err := h.Subject(); err != nil {
			v.skipField("Subject", err.Error())
		} else {
			v.Subject = normBlanks(s)
		}
	}
	if one("Message-Id") {
		if id, err := h.MessageID(); err != nil {
			v.skipField("Message-Id", err.Error())
		} else {
			v.MessageID = id
		}
	}
	if one("In-Reply-To") {
		if l, err := h.MsgIDList("In-Reply-To"); err != nil {
			v.skipField("In-Reply-To", err.Error())
		} else if len(l) > 0 {
			v.InReplyTo = l[0]
		}
	}
	if one("References") {
		if l, err := h.MsgIDList("References"); err != nil {
			v.skipField("References", err.Error())
		} else {
			v.References = l
		}
	}
	if one("Date") {
		if d, err := h.Date(); err != nil {
			v.skipField("Date", err.Error())
		} else {
			v.Date = d
		}
	}
	var texts []string
	err = ent.Walk(func(path []int, e *gomessage.Entity, err error) error {
		if err != nil {
			return err
		}
		if e.MultipartReader() != nil {
			return nil
		}
		ctype, cparams, err := e.Header.ContentType()
		if err != nil {
			return err
		}
		if strings.HasPrefix(ctype, "multipart/") {
			return nil // no boundary: neither reads the body
		}
		ah := gomail.AttachmentHeader{Header: e.Header}
		name, err := ah.Filename()
		if err != nil {
			return err
		}
		disp, _, _ := e.Header.ContentDisposition()
		body, err := io.ReadAll(e.Body)
		if err != nil {
			return err
		}
		switch {
		case strings.EqualFold(disp, "attachment") || name != "":
			v.Attachments = append(v.Attachments, name)
		case ctype == "text/plain":
			if _, ok := cparams["charset"]; !ok && bytes.Contains(body, []byte("\x1b$")) {
				v.skipField("Text", "undeclared ISO-2022-JP")
			}
			v.hasText = true
			texts = append(texts, string(body))
		}
		return nil
	})
	if err != nil {
		return nil, errNotCompared{fmt.Sprintf("go-message body: %v", err)}
	}
	v.Text = normText(strings.Join(texts, "\n"))
	return v, nil
}

// ourView reads raw with Parse, normalised like oracleView.
func ourView(m *Message) *view {
	v := &view{}
	v.From = normAddr(m.From.Name, m.From.Addr)
	if m.From.Addr == "" {
		v.From = ""
	}
	if m.Sender.Addr != "" {
		v.Sender = normAddr(m.Sender.Name, m.Sender.Addr)
	}
	return v
}

// compare lists the fields where ours and go-message's readings of raw
// differ. compared is false when go-message does not read raw cleanly;
// skipped names the fields left out of the comparison.
func compare(raw []byte, lim Limits) (diffs []string, compared bool, skipped []string) {
	o, oerr := oracleView(raw)
	if oerr != nil {
		return nil, false, nil
	}
	m, err := ParseBytes(raw, lim)
	for _, capped := range []error{ErrTooLarge, ErrHeaderTooLarge, ErrTooDeep, ErrTooManyParts} {
		if errors.Is(err, capped) {
			return nil, false, nil // a Limits cap, which go-message does not have
		}
	}
	if errors.Is(err, ErrNotMessage) && bytes.HasPrefix(raw, []byte(":")) {
		// go-message skips a field without a name; misend refuses input
		// that does not start with a field as not mail at all.
		return nil, false, nil
	}
	if err != nil {
		return []string{fmt.Sprintf("misend refused what go-message read: %v", err)}, true, nil
	}
	for _, p := range m.Problems {
		if strings.Contains(p, "truncated") {
			o.skipField("Text", "capped")
		}
	}
	diff := func(field string, ours, theirs any) {
		if _, skip := o.skip[field]; skip {
			return
		}
		if a, b := fmt.Sprintf("%q", ours), fmt.Sprintf("%q", theirs); a != b {
			diffs = append(diffs, fmt.Sprintf("%s: misend %s, go-message %s", field, a, b))
		}
	}
	us := ourView(m)
	diff("From", us.From, o.From)
	diff("Sender", us.Sender, o.Sender)
	for i, k := range []string{"To", "Cc", "Bcc"} {
		ours := []string{}
		for _, x := range [][]Address{m.To, m.Cc, m.Bcc}[i] {
			ours = append(ours, normAddr(x.Name, x.Addr))
		}
		if o.sorted[k] {
			slices.Sort(ours)
		}
		theirs := o.Rcpt[k]
		if theirs == nil {
			theirs = []string{}
		}
		diff(k, ours, theirs)
	}
	diff("Subject", normBlanks(m.Subject), o.Subject)
	diff("Message-Id", m.MessageID, o.MessageID)
	diff("In-Reply-To", m.InReplyTo, o.InReplyTo)
	refs := m.References
	if refs == nil {
		refs = []string{}
	}
	orefs := o.References
	if orefs == nil {
		orefs = []string{}
	}
	diff("References", refs, orefs)
	if !m.Date.Equal(o.Date) {
		diff("Date", m.Date.UTC().String(), o.Date.UTC().String())
	}
	names := []string{}
	for _, a := range m.Attachments {
		names = append(names, a.Filename)
	}
	onames := o.Attachments
	if onames == nil {
		onames = []string{}
	}
	diff("Attachments", names, onames)
	if o.hasText {
		diff("Text", normText(m.Text), o.Text)
	}
	if !utf8.ValidString(m.Text) {
		diffs = append(diffs, "Text: not UTF-8")
	}
	for f := range o.skip {
		skipped = append(skipped, f)
	}
	return diffs, true, skipped
}

// oracleSeeds are shapes both parsers must read alike: the parse test
// table's, Enron's headers, and Japanese charsets in headers and bodies.
func oracleSeeds() []string {
	return []string{
		"From: A <A@Corp.Example>\r\nTo: b@x.example, c@y.example\r\nSubject: hi\r\nMessage-ID: <id1@x>\r\n\r\nhello\r\n",
		"Message-ID: <18782981.1075855378110.JavaMail.evans@thyme>\nDate: Mon, 14 May 2001 16:39:00 -0700 (PDT)\nFrom: phillip.allen@enron.com\nTo: tim.belden@enron.com\nSubject: Re:\nMime-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\nX-From: Phillip K Allen\nX-To: Tim Belden <Tim Belden/Enron@EnronXGate>\n\nHere is our forecast\n\n ",
		"Date: Wed, 18 Oct 2000 03:00:00 -0700 (PDT)\nFrom: phillip.allen@enron.com\nTo: leah.arsdall@enron.com, john.lavorato@enron.com, \n\tgreg.piper@enron.com\nCc: a.b@enron.com\nBcc: a.b@enron.com\nSubject: Re: test\nIn-Reply-To: <a@b>\nReferences: <x@y> <a@b>\n\ntest successful.  way to go!!!\n",
		"From: =?UTF-8?B?55Sw5Lit?= <t@x.jp>\nTo: =?ISO-2022-JP?B?GyRCRURDZhsoQg==?= <u@y.jp>\nSubject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=\nContent-Type: text/plain; charset=ISO-2022-JP\n\n\x1b$BED\x43f\x1b(B\n",
		"From: a@b.c\nTo: d@e.f\nSubject: =?Shift_JIS?B?g2WDWINn?=\nContent-Type: text/plain; charset=Shift_JIS\nContent-Transfer-Encoding: 8bit\n\n\x83\x65\x83\x58\x83\x67\n",
		"From: a@b.c\nTo: d@e.f\nSubject: =?EUC-JP?B?pcaluaXI?=\nContent-Type: text/plain; charset=EUC-JP\n\n\xa5\xc6\xa5\xb9\xa5\xc8\n",
		"From: a@b.c\nTo: d@e.f\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nbody =E6=97=A5=E6=9C=AC \nnext=\nline\n--XX\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*=UTF-8''%E8%A6%8B%E7%A9%8D.pdf\nContent-Transfer-Encoding: base64\n\nAAAA\n--XX\nContent-Type: text/plain; name=\"=?UTF-8?B?5aWR57SE?=.txt\"\n\nnotes\n--XX--\n",
		"From: a@b.c\nTo: d@e.f\nContent-Type: multipart/alternative; boundary=\"b b\"\n\npreamble\n--b b\nContent-Type: text/plain\n\nplain\n--b b\nContent-Type: text/html\n\n<p>html</p>\n--b b--\nepilogue\n",
		"From: \"Tanaka, Taro\" <tanaka@x.example>\nTo: Group: a@b.c, \"q\"@d.e;, (comment) f@g.h\nSubject: folded\n  subject\n\nhi\n",
	}
}

// FuzzParseMatchesGoMessage checks that misend's parser agrees with
// go-message on every input go-message reads without error.
func FuzzParseMatchesGoMessage(f *testing.F) {
	for _, s := range oracleSeeds() {
		f.Add(s)
	}
	for _, s := range hostile() {
		f.Add(s)
	}
	if dir := os.Getenv("MISEND_ENRON"); dir != "" {
		n := 0
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && n < 300 {
				if b, err := os.ReadFile(p); err == nil {
					f.Add(string(b))
					n++
				}
			}
			return nil
		})
	}
	f.Fuzz(func(t *testing.T, raw string) {
		diffs, _, _ := compare([]byte(raw), Limits{})
		for _, d := range diffs {
			t.Error(d)
		}
	})
}

func TestParseMatchesGoMessage(t *testing.T) {
	n := 0
	for _, s := range oracleSeeds() {
		diffs, ok, _ := compare([]byte(s), Limits{})
		if ok {
			n++
		}
		for _, d := range diffs {
			t.Errorf("%.60q: %s", s, d)
		}
	}
	if n < len(oracleSeeds())-1 {
		t.Errorf("go-message read only %d of %d seeds; the comparison is hollow", n, len(oracleSeeds()))
	}
}

// TestCorpusMatchesGoMessage compares every message under the directories
// in MISEND_ORACLE_DIRS (colon-separated: .eml files, or mbox files split
// on "From " lines), e.g. the extracted Enron corpus and synth output, and
// reports counts of agreement.
func TestCorpusMatchesGoMessage(t *testing.T) {
	dirs := os.Getenv("MISEND_ORACLE_DIRS")
	if dirs == "" {
		t.Skip("set MISEND_ORACLE_DIRS to compare a corpus")
	}
	for _, dir := range strings.Split(dirs, ":") {
		var total, compared, agreed int
		byField, skips := map[string]int{}, map[string]int{}
		shown := 0
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, raw := range splitMbox(b) {
				total++
				diffs, ok, skipped := compare(raw, Limits{})
				if !ok {
					continue
				}
				compared++
				for _, f := range skipped {
					skips[f]++
				}
				if len(diffs) == 0 {
					agreed++
					continue
				}
				for _, d := range diffs {
					f, _, _ := strings.Cut(d, ":")
					byField[f]++
					if shown < 20 {
						t.Errorf("%s: %s", p, d)
						shown++
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d messages, %d read cleanly by go-message, %d agree on every compared field; differing by field: %v; fields not compared (go-message refused them, repeated, or a documented difference): %v",
			dir, total, compared, agreed, byField, skips)
	}
}

// splitMbox returns the messages of an mbox (lines "From " after a blank
// line, ">From " unescaped), or b itself when it is not one.
func splitMbox(b []byte) [][]byte {
	if !bytes.HasPrefix(b, []byte("From ")) {
		return [][]byte{b}
	}
	var out [][]byte
	for _, m := range bytes.Split(b, []byte("\n\nFrom ")) {
		if i := bytes.IndexByte(m, '\n'); i >= 0 {
			m = m[i+1:]
		}
		m = bytes.ReplaceAll(m, []byte("\n>From "), []byte("\nFrom "))
		out = append(out, append(m, '\n'))
	}
	return out
}

// TestMessageIDs covers the identifier shapes the oracle found misread:
// text after the closing bracket and identifiers without blanks between.
func TestMessageIDs(t *testing.T) {
	for _, tc := range []struct {
		raw        string
		id, parent string
		refs       []string
	}{
		{"Message-ID: <a@x>00\nIn-Reply-To: <p@x>(comment)\nReferences: <r@x><p@x>\n\n", "a@x", "p@x", []string{"r@x", "p@x"}},
		{"Message-ID: <a@x> (added by relay)\nReferences: <r@x> (c) <p@x>\n\n", "a@x", "", []string{"r@x", "p@x"}},
		{"Message-ID: bare-id\nIn-Reply-To: bare-parent other\nReferences: one two\n\n", "bare-id", "bare-parent", []string{"one", "two"}},
	} {
		m, err := ParseBytes([]byte(tc.raw), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if m.MessageID != tc.id || m.InReplyTo != tc.parent || !slices.Equal(m.References, tc.refs) {
			t.Errorf("%q: id %q parent %q refs %q", tc.raw, m.MessageID, m.InReplyTo, m.References)
		}
	}
}
