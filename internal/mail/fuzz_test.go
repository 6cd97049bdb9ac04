package mail

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	f.Add("From: a@b.c\nTo: k..allen@enron.com,\n\nhi\n")
	f.Add("Subject: =?ISO-2022-JP?B?GyRCJUYlOSVI?=\nContent-Type: text/plain; charset=x-unknown\n\n\x1b$B%F\n")
	f.Add("Content-Type: multipart/mixed; boundary=a\n\n--a\n--a\nContent-Type: multipart/mixed; boundary=a\n\n--a--\n")
	f.Add("Content-Transfer-Encoding: base64\n\n!!!***\n")
	f.Add("To: undisclosed-recipients:;\nContent-Disposition: attachment; filename*=bad''%ZZ\n\n" + strings.Repeat("x", 3000) + "\n")
	for _, s := range hostile() {
		f.Add(s)
	}
	lim := Limits{MaxMessageBytes: 1 << 20, MaxHeaderBytes: 8 << 10, MaxDepth: 20, MaxParts: 100, MaxTextBytes: 4 << 10}
	f.Fuzz(func(t *testing.T, raw string) {
		m, err := Parse(strings.NewReader(raw), lim)
		if err != nil {
			return
		}
		for _, a := range append(m.Recipients(), m.From) {
			if a.Addr != strings.ToLower(a.Addr) {
				t.Errorf("address not lower-case: %q", a.Addr)
			}
		}
		if len(m.Text) > lim.MaxTextBytes {
			t.Errorf("text %d octets", len(m.Text))
		}
		if !utf8.ValidString(m.Text) {
			t.Errorf("text not UTF-8: %q", m.Text)
		}
		// The message must own its strings: the caller's buffer (pooled
		// by ingest and Parse) is overwritten by the next message.
		buf := []byte(raw)
		m2, err := ParseBytes(buf, lim)
		if err != nil {
			t.Fatalf("ParseBytes refused what Parse took: %v", err)
		}
		before := fmt.Sprintf("%+v", *m2)
		for i := range buf {
			buf[i] = 'x'
		}
		if after := fmt.Sprintf("%+v", *m2); after != before {
			t.Errorf("message changed with its input buffer:\n%s\n%s", before, after)
		}
		if fmt.Sprintf("%+v", *m) != before {
			t.Errorf("Parse and ParseBytes differ")
		}
	})
}

// FuzzParseHeader: the header alone is what the whole message gives of
// it, and is refused only where the whole message is, for the same reason.
func FuzzParseHeader(f *testing.F) {
	f.Add("From: a@b.c\nTo: k..allen@enron.com,\nDate: Mon, 2 Jan 2006 15:04:05 -0700\n\nhi\n")
	f.Add("From: a@b.c\nnot a field\nContent-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=a\n\n--a--\n")
	for _, s := range hostile() {
		f.Add(s)
	}
	lim := Limits{MaxMessageBytes: 1 << 20, MaxHeaderBytes: 8 << 10, MaxDepth: 20, MaxParts: 100, MaxTextBytes: 4 << 10}
	f.Fuzz(func(t *testing.T, raw string) {
		h, herr := ParseHeaderBytes([]byte(raw), lim)
		m, err := ParseBytes([]byte(raw), lim)
		switch {
		case herr != nil:
			if err == nil || err.Error() != herr.Error() {
				t.Fatalf("header refused (%v), whole message: %v", herr, err)
			}
		case err != nil:
			if !errors.Is(err, ErrTooDeep) && !errors.Is(err, ErrTooManyParts) {
				t.Fatalf("whole message refused (%v), header taken", err)
			}
		default:
			if len(h.Problems) > len(m.Problems) {
				t.Fatalf("header problems %q, whole message's %q", h.Problems, m.Problems)
			}
			if want := headerOnly(m, len(h.Problems)); fmt.Sprintf("%+v", *h) != fmt.Sprintf("%+v", *want) {
				t.Errorf("header\n%+v\nwhole message\n%+v", *h, *want)
			}
		}
	})
}

func FuzzBaseSubject(f *testing.F) {
	for _, s := range []string{"Re: x", "RE[2]: FW: y", "返信：z", "[tag] Re: w", "Re[", "Re[]]:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, subject string) {
		base, _ := BaseSubject(subject)
		again, reply := BaseSubject(base)
		if reply && again != base && utf8.ValidString(subject) {
			// Taking markers off a base subject again may only find
			// markers that the first pass left inside a list tag.
			if _, r2 := BaseSubject(again); r2 {
				t.Errorf("BaseSubject(%q) = %q still carries markers", subject, base)
			}
		}
		if len(base) > len(subject)*2+4 {
			t.Errorf("BaseSubject(%q) grew to %q", subject, base)
		}
	})
}

func FuzzParseMSIPLabels(f *testing.F) {
	f.Add("MSIP_Label_2096f6a2-d2f7-48be-b329-b73aaa526e5d_Enabled=true; MSIP_Label_2096f6a2-d2f7-48be-b329-b73aaa526e5d_Name=社外秘;")
	f.Add("MSIP_Label_x_Enabled=true;;=;MSIP_Label_")
	f.Fuzz(func(t *testing.T, header string) {
		ls := ParseMSIPLabels(header)
		if len(ls) > maxLabels {
			t.Fatalf("%d labels", len(ls))
		}
		for _, l := range ls {
			if !IsGUID(l.ID) || l.ID != strings.ToLower(l.ID) {
				t.Fatalf("label ID %q", l.ID)
			}
		}
	})
}
