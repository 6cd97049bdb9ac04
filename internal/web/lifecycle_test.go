package web

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/queue"
)

// passedToKei passes held mail of 営業部 on to kei (経理部's approver)
// once it was escalated: kei stands in for 営業部's approver.
type passedToKei struct{}

func (passedToKei) Deciders(it queue.Item) []string {
	if it.Department == "営業部" && it.Stage > 0 {
		return []string{"kei@corp.example"}
	}
	return nil
}

func (passedToKei) SelfReleaseAt(queue.Item) (time.Time, bool) { return time.Time{}, false }

// TestTimesInEachReadersZone: pages show times in the reader's own zone
// from the directory, else the organisation's, always naming the zone.
func TestTimesInEachReadersZone(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	zoned := make([]directory.Person, len(people))
	copy(zoned, people)
	for i := range zoned {
		if zoned[i].Address == "boss@corp.example" {
			zoned[i].TimeZone = "America/New_York"
		}
	}
	e := newEnv(t, func(o *Options) {
		o.Location = tokyo
		o.Directory = directory.New(zoned, []string{"corp.example"})
	})
	e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "zone check", state: queue.Held, to: []string{"x@partner.example"}})
	created := e.q.List(queue.Held)[0].Created
	for _, tc := range []struct {
		who, path, want string
	}{
		{"sato@corp.example", "/held", created.In(tokyo).Format("2006-01-02 15:04") + " JST"},
		{"boss@corp.example", "/approvals", created.In(mustZone(t, "America/New_York")).Format("2006-01-02 15:04 MST")},
	} {
		c, _ := e.session(tc.who)
		code, body, _ := e.do("GET", tc.path, c, nil, nil)
		if code != 200 || !strings.Contains(body, tc.want) {
			t.Errorf("%s %s: %d, want a time %q in:\n%s", tc.who, tc.path, code, tc.want, body)
		}
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestApprovalsPassedOn: held mail of another department appears on an
// approver's page only once it was passed on to them, and they may then
// read it and release it.
func TestApprovalsPassedOn(t *testing.T) {
	e := newEnv(t, nil)
	e.held.Lifecycle = passedToKei{}
	id := e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "passed on", state: queue.Held, to: []string{"x@partner.example"}})
	c, csrf := e.session("kei@corp.example")
	if _, body, _ := e.do("GET", "/approvals", c, nil, nil); strings.Contains(body, "passed on") {
		t.Fatal("another department's held mail listed before it was passed on")
	}
	if _, err := e.held.Escalate(context.Background(), id, 1, time.Now(), "passed to kei@corp.example"); err != nil {
		t.Fatal(err)
	}
	if code, body, _ := e.do("GET", "/approvals", c, nil, nil); code != 200 || !strings.Contains(body, "passed on") {
		t.Fatalf("passed-on mail not listed: %d", code)
	}
	if code, body, _ := e.do("GET", "/approvals/"+id+"/body", c, nil, nil); code != 200 || !strings.Contains(body, "本文マーカー") {
		t.Errorf("body: %d", code)
	}
	if code, _, _ := e.do("POST", "/approvals/"+id+"/release", c, url.Values{"csrf": {csrf}}, nil); code != 303 {
		t.Errorf("release: %d", code)
	}
	if it, _ := e.q.Get(queue.ID(id)); it.State != queue.Queued || it.By != "kei@corp.example" {
		t.Errorf("after release: %s by %s", it.State, it.By)
	}
}

// selfRelease lets senders of 営業部 release their own held mail from at.
type selfRelease struct{ at time.Time }

func (selfRelease) Deciders(queue.Item) []string { return nil }
func (s selfRelease) SelfReleaseAt(it queue.Item) (time.Time, bool) {
	return s.at, it.Department == "営業部"
}

// TestSelfReleaseOnHeldPage: in a department without approvers the
// sender's page says from when they may send their held mail, offers the
// button only from then, and sending is audited as theirs.
func TestSelfReleaseOnHeldPage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		at     time.Duration // from now
		button bool
		text   string
		post   int
	}{
		{"before the delay", time.Hour, false, "以降にご自身で送信できます", 409},
		{"after the delay", -time.Minute, true, "内容に問題がなければ送信してください", 303},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.held.Lifecycle = selfRelease{at: time.Now().Add(tc.at)}
			id := e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "self", state: queue.Held, to: []string{"x@partner.example"}})
			c, csrf := e.session("sato@corp.example")
			code, body, _ := e.do("GET", "/held", c, nil, map[string]string{"Accept-Language": "ja"})
			if code != 200 || !strings.Contains(body, tc.text) || strings.Contains(body, "/held/"+id+"/release") != tc.button {
				t.Fatalf("held page: %d, want %q and button %v:\n%s", code, tc.text, tc.button, body)
			}
			if code, _, _ := e.do("POST", "/held/"+id+"/release", c, url.Values{"csrf": {csrf}}, nil); code != tc.post {
				t.Fatalf("release: %d, want %d", code, tc.post)
			}
			it, _ := e.q.Get(queue.ID(id))
			if (it.State == queue.Queued) != (tc.post == 303) {
				t.Errorf("state %s", it.State)
			}
		})
	}
}
