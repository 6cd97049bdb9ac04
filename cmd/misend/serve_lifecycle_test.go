package main

import (
	"context"
	"io"
	"mime/quotedprintable"
	"net/smtp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/misend/misend/internal/approval"
	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/store/pgtest"
)

// TestServeApprovalLifecycle: misend serve assembled from a configuration
// file with an [approval] table and a directory CSV with deputy and
// time_zone columns: a held message nobody decides on is passed to the
// approver's deputy (the notice shows times in the deputy's own zone),
// and at the department's deadline refused, as the file says; the
// organisation's zone is Tokyo because the directory is Japanese.
func TestServeApprovalLifecycle(t *testing.T) {
	cfg, err := config.Parse([]byte(`
[notify]
base_url = "http://misend.corp.example"

[policy.default]
shadow = false
codes = { NEW_DOMAIN = "hold", NEW_RECIPIENT = "hold" }

[approval]
escalate_after = "1h"
final_after = "3h"
business_hours = "00:00-24:00"
business_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

[approval.department."営業部"]
final_action = "reject"
`))
	if err != nil {
		t.Fatal(err)
	}
	people, err := directory.ParseCSV(strings.NewReader(`address,name,department,groups,roles,lang,deputy,time_zone
sato@corp.example,佐藤 一郎,営業部,,sender,ja,,
bucho@corp.example,鈴木 部長,営業部,,approver,ja,jicho@corp.example,
jicho@corp.example,高橋 次長,営業部,,sender,en,,Europe/London
`))
	if err != nil {
		t.Fatal(err)
	}
	s := startServedWith(t, pgtest.Path(t, t.TempDir(), "m.db"), people, "", cfg)
	if s.Approval == nil {
		t.Fatal("no approval lifecycle although the file has an [approval] table")
	}
	if got := s.Approval.Calendar.Loc.String(); got != "Asia/Tokyo" {
		t.Errorf("organisation's zone %s, want Asia/Tokyo for a Japanese directory", got)
	}
	clk := &testClock{t: time.Now()}
	s.Approval.Now, s.Held.Now = clk.Now, clk.Now

	msg := "From: 佐藤 一郎 <sato@corp.example>\r\nTo: x@new-partner.example\r\nSubject: lifecycle\r\nMessage-ID: <lc1@corp.example>\r\n\r\nお世話になっております。\r\n"
	if err := smtp.SendMail(s.SMTP.String(), nil, "sato@corp.example", []string{"x@new-partner.example"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	held := s.Queue.List(queue.Held)
	if len(held) != 1 {
		t.Fatalf("held: %d (%v)", len(held), s.Queue.Depth())
	}
	awaitAt(t, s, "bucho@corp.example", "からのメールが承認待ちです")

	clk.advance(time.Hour + time.Minute)
	if rep, err := s.Approval.Tick(context.Background()); err != nil || rep != (approval.Report{Escalated: 1}) {
		t.Fatalf("tick: %+v, %v", rep, err)
	}
	deputy := awaitAt(t, s, "jicho@corp.example", "passed on to you as deputy approver")
	if !strings.Contains(deputy, " GMT") {
		t.Errorf("the deputy's notice is not in their own zone:\n%s", deputy)
	}

	clk.advance(2 * time.Hour)
	if rep, err := s.Approval.Tick(context.Background()); err != nil || rep != (approval.Report{Rejected: 1}) {
		t.Fatalf("tick: %+v, %v", rep, err)
	}
	awaitAt(t, s, "sato@corp.example", "承認期限")
	if got, _ := s.Queue.Get(held[0].ID); got.State != queue.Rejected || got.By != "misend" {
		t.Errorf("after the deadline: %s by %q", got.State, got.By)
	}
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// awaitAt waits for a notice to rcpt at the upstream whose decoded text
// has marker, and returns that text.
func awaitAt(t *testing.T, s *served, rcpt, marker string) string {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		for _, m := range s.up.Messages() {
			if len(m.To) == 0 || !strings.EqualFold(m.To[0], rcpt) {
				continue
			}
			text := string(m.Data)
			if i := strings.Index(text, "\r\n\r\n"); i >= 0 {
				if b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(text[i+4:]))); err == nil {
					text = text[:i+4] + string(b)
				}
			}
			if strings.Contains(text, marker) {
				return text
			}
		}
	}
	t.Fatalf("no notice to %s with %q", rcpt, marker)
	return ""
}
