package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/misend/misend/internal/mail"
)

func write(t testing.TB, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func msg(from, to, subj string) string {
	return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subj + "\r\n\r\nbody\r\n"
}

func TestWalkFormats(t *testing.T) {
	dir := t.TempDir()
	for _, u := range []string{"alice", "bob"} {
		write(t, filepath.Join(dir, "maildir", u, "sent", "cur", "1:2,S"), msg(u+"@corp.example", "x@p.example", u+" cur"))
		write(t, filepath.Join(dir, "maildir", u, "sent", "new", "2"), msg(u+"@corp.example", "y@p.example", u+" new"))
		write(t, filepath.Join(dir, "maildir", u, "sent", "tmp", "3"), msg(u+"@corp.example", "z@p.example", "tmp"))
	}
	write(t, filepath.Join(dir, "box.mbox"), "From a@b Mon Jan 1 00:00:00 2024\nFrom: a@b.example\nTo: c@d.example\nSubject: one\n\n>From here\n\nFrom a@b Mon Jan 1 00:00:00 2024\r\nFrom: a@b.example\r\nTo: e@d.example\r\nSubject: two\r\n\r\nx\r\n")
	write(t, filepath.Join(dir, "trace.csv"), "\uFEFF\"Received\",\"SenderAddress\",\"RecipientAddress\",\"Subject\",\"Status\",\"Size\",\"MessageId\",\"MessageTraceId\"\n"+
		"\"2024-01-02T03:04:05\",\"S@Corp.example\",\"r1@p.example\",\"Hello\",\"Delivered\",\"1234\",\"<m1@corp>\",\"t1\"\n"+
		"\"2024-01-02T03:04:05\",\"S@Corp.example\",\"r2@p.example\",\"Hello\",\"Delivered\",\"1234\",\"<m1@corp>\",\"t2\"\n"+
		"\"2024-01-02T03:04:05\",\"\",\"r2@p.example\",\"bad\",\"Delivered\",\"1\",\"<m2@corp>\",\"t3\"\n")
	write(t, filepath.Join(dir, "hist.csv"), "date_time_utc,sender_address,recipient_address,message_id,total_bytes,message_subject,event_id,directionality\n"+
		"2024-01-02T03:04:05.123Z,a@corp.example,b@q.example,<h1@corp>,99,Report,DELIVER,Originating\n")

	got := map[string]*mail.Message{}
	var order []string
	sum, err := Walk(context.Background(), []string{dir}, Options{Workers: 3}, func(src string, m *mail.Message) error {
		got[m.Subject] = m
		order = append(order, src)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"alice cur", "alice new", "bob cur", "bob new", "one", "two", "Hello", "Report"} {
		if got[s] == nil {
			t.Errorf("missing %q", s)
		}
	}
	if got["tmp"] != nil {
		t.Error("read Maildir tmp/")
	}
	if m := got["one"]; m != nil && !strings.Contains(m.Text, "From here") || strings.Contains(got["one"].Text, ">From") {
		t.Errorf("mbox unescape: %q", got["one"].Text)
	}
	if m := got["Hello"]; m == nil || len(m.To) != 2 || m.From.Addr != "s@corp.example" || m.Size != 1234 || m.Date.IsZero() {
		t.Errorf("csv message %+v", got["Hello"])
	}
	if sum.Messages != 8 || sum.Skipped["csv: row without sender or recipient address"] != 1 {
		t.Errorf("summary %+v", sum)
	}
	if !strings.HasSuffix(order[0], "box.mbox#1") {
		t.Errorf("order %v", order)
	}
}

func TestProgressOnlyOnTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if newProgress(f, 1) != nil {
		t.Error("progress drawn to a regular file")
	}
	if newProgress(nil, 1) != nil {
		t.Error("progress with no writer")
	}
}
