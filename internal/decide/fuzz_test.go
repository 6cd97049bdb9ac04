package decide

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSubjectOf: any octets give a subject without panicking, bounded by
// the header it was read from.
func FuzzSubjectOf(f *testing.F) {
	f.Add([]byte("Subject: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=\r\n\r\nbody"))
	f.Add([]byte("Subject: =?utf-8?q?caf=C3=A9?=\r\nFrom: a@b\r\n\r\n"))
	f.Add([]byte("Subject: a\r\n folded\r\n\r\n"))
	f.Add([]byte("no header at all"))
	f.Add([]byte("Subject: =?unknown?B?AAAA?=\r\n\r\n"))
	f.Add([]byte(strings.Repeat("X-Long: "+strings.Repeat("a", 1000)+"\r\n", 100)))
	f.Fuzz(func(t *testing.T, raw []byte) {
		s := SubjectOf(raw)
		if len(s) > 4*min(len(raw), 64<<10)+16 {
			t.Fatalf("subject of %d octets from %d octets of input", len(s), len(raw))
		}
		if utf8.ValidString(string(raw)) && !utf8.ValidString(s) && !strings.Contains(string(raw), "=?") {
			t.Fatalf("plain UTF-8 header gave invalid UTF-8 subject %q", s)
		}
	})
}

// SubjectFor prefers the subject the decision parsed and reads raw only
// when there is none.
func TestSubjectFor(t *testing.T) {
	raw := []byte("Subject: =?utf-8?q?caf=C3=A9?=\r\n\r\nbody")
	if got := (Result{Subject: "parsed"}).SubjectFor(raw); got != "parsed" {
		t.Errorf("with a parsed subject: %q", got)
	}
	if got := (Result{}).SubjectFor(raw); got != "café" {
		t.Errorf("read from raw: %q", got)
	}
}
