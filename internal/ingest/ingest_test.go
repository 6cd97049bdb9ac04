package ingest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
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
	if sum.Messages != 8 || sum.Skipped[SkipCSVNoAddress] != 1 {
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

// TestWalkSkipsNonMail: files in a mail tree that are not mail are skipped
// under stable reason keys, with an example each, and never parsed as
// empty messages.
func TestWalkSkipsNonMail(t *testing.T) {
	dir := t.TempDir()
	box := filepath.Join(dir, "alice", "Sent")
	write(t, filepath.Join(box, "cur", "1:2,S"), msg("alice@corp.example", "x@p.example", "real"))
	write(t, filepath.Join(box, "maildirsize"), "1024S,100C\n512 3\n")
	write(t, filepath.Join(box, "dovecot-uidlist"), "3 V1 N2\n1 :1:2,S\n")
	write(t, filepath.Join(box, "dovecot.index.log"), "\x01\x02\x00\x00")
	write(t, filepath.Join(box, "cur", "scan0001"), "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	write(t, filepath.Join(box, "cur", "notes"), "remember to forward the quote\nTo: nobody\n")
	write(t, filepath.Join(box, "cur", "huge"), "From: a@b.example\nSubject: big\n\n"+strings.Repeat("x", 3000))
	write(t, filepath.Join(dir, "bad.csv"), "When,Who\n2024-01-01,a@b\n")

	var got []string
	sum, err := Walk(context.Background(), []string{dir}, Options{Limits: mail.Limits{MaxMessageBytes: 2000, MaxHeaderBytes: 1000, MaxDepth: 5, MaxParts: 10, MaxTextBytes: 1000}},
		func(src string, m *mail.Message) error {
			got = append(got, m.Subject)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "real" {
		t.Errorf("messages %q, want only the real one", got)
	}
	want := map[string]int{SkipMaildirMetadata: 3, SkipNotMail: 2, SkipTooLarge: 1, SkipCSVColumns: 1}
	for k, n := range want {
		if sum.Skipped[k] != n {
			t.Errorf("skipped[%s] = %d, want %d (all: %v)", k, sum.Skipped[k], n, sum.Skipped)
		}
		if sum.Examples[k] == "" || Describe(k) == k {
			t.Errorf("%s: example %q, description %q", k, sum.Examples[k], Describe(k))
		}
	}
	if len(sum.Skipped) != len(want) {
		t.Errorf("skip keys %v", sum.Skipped)
	}
	if !strings.Contains(sum.Examples[SkipTooLarge], "huge") {
		t.Errorf("example %q does not name the file", sum.Examples[SkipTooLarge])
	}
}

// TestCSVWindow: a message's recipient rows are grouped when they come
// within the window, however interleaved; a row that comes after the
// message was passed on is counted, not lost silently.
func TestCSVWindow(t *testing.T) {
	var b strings.Builder
	b.WriteString("SenderAddress,RecipientAddress,MessageId\n")
	// m0 and m1 interleaved, then filler, then a late row for m0.
	fmt.Fprintf(&b, "s@corp,a@p,<m0>\ns@corp,b@p,<m1>\ns@corp,c@p,<m0>\ns@corp,d@p,<m1>\ns@corp,c@p,<m0>\n")
	for i := range csvWindowRows + 10 {
		fmt.Fprintf(&b, "s@corp,r%d@p,<f%d>\n", i, i)
	}
	fmt.Fprintf(&b, "s@corp,late@p,<m0>\n")
	msgs := map[string][]string{}
	var order []string
	skips := map[string]int{}
	err := readCSV("t.csv", bufio.NewReader(strings.NewReader(b.String())), func(it *item) bool {
		if it.msg == nil {
			skips[it.skip]++
			return true
		}
		if _, dup := msgs[it.msg.MessageID]; dup {
			t.Errorf("message %s passed on twice", it.msg.MessageID)
		}
		order = append(order, it.msg.MessageID)
		for _, a := range it.msg.To {
			msgs[it.msg.MessageID] = append(msgs[it.msg.MessageID], a.Addr)
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(msgs["m0"], " "); got != "a@p c@p" {
		t.Errorf("m0 recipients %q", got)
	}
	if got := strings.Join(msgs["m1"], " "); got != "b@p d@p" {
		t.Errorf("m1 recipients %q", got)
	}
	if len(msgs) != csvWindowRows+12 || order[0] != "m0" || order[1] != "m1" || order[2] != "f0" {
		t.Errorf("%d messages, order starts %q", len(msgs), order[:3])
	}
	if skips[SkipCSVLateRow] != 1 || len(skips) != 1 {
		t.Errorf("skips %v", skips)
	}
}

// TestHugeLines: an mbox line or a CSV record of 16 MB (a
// missing newline, an unterminated quote) costs bounded memory: the mbox
// message is refused as too large, the CSV file stops with a clear reason
// after passing on what came before.
func TestHugeLines(t *testing.T) {
	dir := t.TempDir()
	huge := strings.Repeat("x", 16<<20)
	write(t, filepath.Join(dir, "a.mbox"), "From a@b Mon Jan  1 00:00:00 2024\nFrom: a@b.example\nTo: c@d.example\nSubject: big\n\n"+huge+
		"\nFrom a@b Mon Jan  1 00:00:00 2024\nFrom: a@b.example\nTo: c@d.example\nSubject: after\n\nok\n")
	write(t, filepath.Join(dir, "b.csv"), "SenderAddress,RecipientAddress,MessageId\na@corp,b@p,<1>\na@corp,c@p,\"<2>"+huge+"\n")
	lim := mail.Limits{MaxMessageBytes: 1 << 20, MaxHeaderBytes: 1 << 10, MaxDepth: 5, MaxParts: 10, MaxTextBytes: 1 << 10}
	var got []string
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	sum, err := Walk(context.Background(), []string{dir}, Options{Limits: lim, Workers: 1}, func(src string, m *mail.Message) error {
		got = append(got, m.Subject+m.MessageID)
		return nil
	})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	// Both files hold 16 MB lines; what is read must depend on the caps
	// (1 MB each here), not on the lines.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 20<<20 {
		t.Errorf("allocated %d MB for two 16 MB lines", alloc>>20)
	} else {
		t.Logf("allocated %.1f MB", float64(alloc)/(1<<20))
	}
	if strings.Join(got, ",") != "after,1" {
		t.Errorf("messages %q", got)
	}
	if sum.Skipped[SkipTooLarge] != 1 || sum.Skipped[SkipUnreadable] != 1 || !strings.Contains(sum.Examples[SkipUnreadable], "unterminated quote") {
		t.Errorf("skipped %v, examples %v", sum.Skipped, sum.Examples)
	}
}

// TestWalkHeaderOnly: a walk of headers finds the messages a whole walk
// finds, from and to the same people, without their text.
func TestWalkHeaderOnly(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "cur", "1"), msg("a@corp.example", "x@p.example, y@p.example", "one"))
	write(t, filepath.Join(dir, "box.mbox"), "From a@b Mon Jan 1 00:00:00 2024\nFrom: b@corp.example\nTo: z@p.example\nSubject: two\n\nhello\n")
	walk := func(headerOnly bool) []*mail.Message {
		var out []*mail.Message
		_, err := Walk(context.Background(), []string{dir}, Options{HeaderOnly: headerOnly}, func(_ string, m *mail.Message) error {
			out = append(out, m)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	whole, heads := walk(false), walk(true)
	if len(whole) != 2 || len(heads) != len(whole) {
		t.Fatalf("%d messages with their bodies, %d headers", len(whole), len(heads))
	}
	for i, h := range heads {
		m := whole[i]
		if m.Text == "" || h.Text != "" || h.Subject != m.Subject || h.From != m.From || fmt.Sprint(h.Recipients()) != fmt.Sprint(m.Recipients()) {
			t.Errorf("header %+v of %+v", h, m)
		}
	}
}
