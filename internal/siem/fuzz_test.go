package siem

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// A collector's answer is whatever it sends: reading it never panics,
// says a 2xx is taken and nothing else is, keeps what it quotes short and
// valid UTF-8, and never waits longer than an hour.
func FuzzHECAnswer(f *testing.F) {
	f.Add(200, "", []byte(`{"text":"Success","code":0}`))
	f.Add(403, "", []byte(`{"text":"Invalid token","code":4}`))
	f.Add(503, "30", []byte(`{"text":"Server is busy","code":9}`))
	f.Add(503, "99999999999999999999", []byte("<html>busy</html>"))
	f.Add(400, "-5", []byte(`{"text":"\xff\xfe","code":"x"}`))
	f.Add(413, "1e9", []byte(strings.Repeat("あ", 500)))
	f.Fuzz(func(t *testing.T, status int, retryAfter string, answer []byte) {
		err := hecAnswer("https://splunk.corp.example:8088/services/collector/event", status, retryAfter, answer)
		if (err == nil) != (status >= 200 && status < 300) {
			t.Fatalf("status %d: %v", status, err)
		}
		if err == nil {
			return
		}
		var e *HECError
		if !errors.As(err, &e) {
			t.Fatalf("not an HECError: %v", err)
		}
		if !utf8.ValidString(e.Text) || len(e.Text) > 200 || !utf8.ValidString(err.Error()) {
			t.Errorf("quoted answer %q", e.Text)
		}
		if e.RetryAfter < 0 || e.RetryAfter > time.Hour {
			t.Errorf("wait %s", e.RetryAfter)
		}
	})
}
