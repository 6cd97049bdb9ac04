package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/queue"
)

// lifecycle passes held mail of 営業部 on to kacho (開発部's approver)
// once escalated, and lets its senders release their own held mail from
// selfAt when self is set.
type lifecycle struct {
	self   bool
	selfAt time.Time
}

func (l lifecycle) Deciders(it queue.Item) []string {
	if it.Stage > 0 {
		return []string{"kacho@corp.example"}
	}
	return nil
}

func (l lifecycle) SelfReleaseAt(queue.Item) (time.Time, bool) { return l.selfAt, l.self }

// TestHeldPassedOn: through the API, held mail passed on to an approver
// of another department is theirs to list, read (with the operator's
// view) and decide once it was passed on, and not before; a sender of a
// department without approvers releases their own held mail after the
// delay, not before.
func TestHeldPassedOn(t *testing.T) {
	e := newEnv(t)
	e.held.Lifecycle = lifecycle{}
	id := e.hold(queue.Held, "x@partner-b.example")
	listed := func() bool {
		a := e.call("kacho@corp.example", "GET", "/api/v1/held?scope=department", nil)
		return a.status == 200 && strings.Contains(string(a.body), id)
	}
	if listed() {
		t.Fatal("listed before it was passed on")
	}
	if a := e.call("kacho@corp.example", "GET", "/api/v1/held/"+id, nil); a.status != http.StatusNotFound {
		t.Errorf("read before it was passed on: %d", a.status)
	}
	if _, err := e.held.Escalate(context.Background(), id, 1, e.now, "passed to kacho@corp.example"); err != nil {
		t.Fatal(err)
	}
	if !listed() {
		t.Fatal("not listed once passed on")
	}
	if a := e.call("kacho@corp.example", "GET", "/api/v1/held/"+id, nil); a.status != 200 || !strings.Contains(string(a.body), secretTerm) {
		t.Errorf("read once passed on: %d %s", a.status, a.body)
	}
	if a := e.call("kacho@corp.example", "GET", "/api/v1/held/"+id+"/body", nil); a.status != 200 {
		t.Errorf("body once passed on: %d", a.status)
	}
	if a := e.call("kacho@corp.example", "POST", "/api/v1/held/"+id+"/reject", map[string]string{"comment": "宛先違い"}); a.status != 200 {
		t.Errorf("reject once passed on: %d %s", a.status, a.body)
	}

	for _, tc := range []struct {
		name   string
		selfAt time.Time
		want   int
	}{
		{"before the delay", e.now.Add(time.Minute), http.StatusConflict},
		{"after the delay", e.now.Add(-time.Minute), http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.held.Lifecycle = lifecycle{self: true, selfAt: tc.selfAt}
			id := e.hold(queue.Held, "x@partner-b.example")
			if a := e.call("sato@corp.example", "POST", "/api/v1/held/"+id+"/release", nil); a.status != tc.want {
				t.Errorf("sender's release: %d %s, want %d", a.status, a.body, tc.want)
			}
		})
	}
	e.held.Lifecycle = lifecycle{}
	id = e.hold(queue.Held, "x@partner-b.example")
	if a := e.call("sato@corp.example", "POST", "/api/v1/held/"+id+"/release", nil); a.status != http.StatusForbidden {
		t.Errorf("sender's release where an approver decides: %d", a.status)
	}
}
