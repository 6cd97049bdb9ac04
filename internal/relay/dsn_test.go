package relay

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/queue"
)

func TestDSN(t *testing.T) {
	it := queue.Item{Envelope: queue.Envelope{From: "a@corp.example", To: []string{"b@x.example"}}}
	raw := []byte("Subject: plan\r\n\r\nSECRET BODY\r\n")
	env, msg := DSN("gw.corp.example", it, raw, errors.New("550 5.1.1 no such user\r\nInjected: x"), time.Now())
	if env.From != "" || len(env.To) != 1 || env.To[0] != "a@corp.example" {
		t.Errorf("envelope %+v", env)
	}
	s := string(msg)
	for _, want := range []string{"multipart/report; report-type=delivery-status", "Final-Recipient: rfc822; b@x.example", "Action: failed", "Subject: plan"} {
		if !strings.Contains(s, want) {
			t.Errorf("DSN lacks %q", want)
		}
	}
	if strings.Contains(s, "SECRET BODY") {
		t.Error("DSN returns the body")
	}
	if strings.Contains(s, "\r\nInjected:") {
		t.Error("diagnostic text injected a header line")
	}
	it.Envelope.From = ""
	if _, m := DSN("gw", it, raw, nil, time.Now()); m != nil {
		t.Error("bounce of a bounce")
	}
}
