package server

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/metrics"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/queue"
)

// Mail the decision parsed is learned from that parse, with its envelope,
// and not parsed again; mail without one is parsed from its octets.
func TestLearnerTakesTheDecisionsParse(t *testing.T) {
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}})
	q, err := queue.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	l := newLearner(m, metrics.New(q), slog.New(slog.NewTextHandler(io.Discard, nil)))
	go l.run()
	env := queue.Envelope{From: "taro@corp.example", To: []string{"a@partner.example", "hidden@partner.example"}}
	parsed := &mail.Message{MessageID: "p@corp.example", From: mail.Address{Addr: "taro@corp.example"},
		To: []mail.Address{{Addr: "a@partner.example"}}, Date: time.Now()}
	// The octets do not parse: only the decision's parse can be learned.
	l.add(env, []byte("\x00not a message"), parsed)
	raw := "From: taro@corp.example\r\nTo: b@partner.example\r\nMessage-ID: <r@corp.example>\r\n\r\nhi\r\n"
	l.add(queue.Envelope{From: "taro@corp.example", To: []string{"b@partner.example"}}, []byte(raw), nil)
	l.stop()
	now := time.Now()
	for _, r := range []string{"a@partner.example", "hidden@partner.example", "b@partner.example"} {
		if !m.Contact("taro@corp.example", r, now).Known() {
			t.Errorf("%s not learned", r)
		}
	}
}
