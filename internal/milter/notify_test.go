package milter

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/misend/misend/internal/notify"
	"github.com/misend/misend/internal/policy"
)

type memNotifier struct {
	got []notify.Waiting
	err error
}

func (n *memNotifier) Notify(ctx context.Context, w notify.Waiting) error {
	n.got = append(n.got, w)
	return n.err
}

func TestNotifyingHolder(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	raw := []byte("From: taro@corp.example\r\nSubject: =?UTF-8?B?6KaL56mN5pu4?=\r\n\r\nbody\r\n")
	env := Envelope{From: "taro@corp.example", To: []string{"a@partner.example"}}
	res := Result{Sender: "taro@corp.example", Department: "営業部",
		Decision: policy.Decision{Verdict: policy.Delay, Decided: policy.Delay, Delay: 5 * time.Minute}}

	inner := &memHolder{}
	n := &memNotifier{}
	h := &NotifyingHolder{Holder: inner, Notifier: n, Now: func() time.Time { return now }}
	id, err := h.Hold(context.Background(), env, raw, res)
	if err != nil || id != "Q1" {
		t.Fatalf("Hold = %q, %v", id, err)
	}
	if len(n.got) != 1 {
		t.Fatalf("notified %d times", len(n.got))
	}
	w := n.got[0]
	if w.QueueID != "Q1" || w.Subject != "見積書" || !w.ReleaseAt.Equal(now.Add(5*time.Minute)) || w.Recipients[0] != "a@partner.example" {
		t.Errorf("waiting = %+v", w)
	}

	// A failed notification does not undo a durable hold.
	n.err = errors.New("upstream down")
	if _, err := h.Hold(context.Background(), env, raw, res); err != nil {
		t.Fatalf("notification failure failed the hold: %v", err)
	}
	// A failed hold notifies nobody.
	inner.fail = true
	before := len(n.got)
	if _, err := h.Hold(context.Background(), env, raw, res); err == nil {
		t.Fatal("hold failure hidden")
	}
	if len(n.got) != before {
		t.Error("notified about a message that was not held")
	}
}
