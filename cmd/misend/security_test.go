package main

import (
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/queue"
)

// The confidential-term lists follow who sent the message (SASL login,
// else envelope sender), not the From: line. Through an SMTP session with
// the same envelope sender, a From: naming an outsider, an address the
// directory does not know or a colleague of another department does not
// let 営業部's term leave: every such message is held. Before, the From:
// picked the lists and these messages were delivered.
func TestForgedFromKeepsTheSendersTermLists(t *testing.T) {
	s, _ := startServedWithTerm(t)
	for i, from := range []string{
		"sato@corp.example",   // their own, for comparison
		"ceo@evil.example",    // outside
		"nobody@corp.example", // not in the directory
		"kato@corp.example",   // a colleague of 経理部
	} {
		t.Run(from, func(t *testing.T) {
			id := "forged-" + string(rune('a'+i)) + "@corp.example"
			raw := "From: " + from + "\r\nTo: tanaka@partner-a.example\r\nSubject: plan\r\nMessage-ID: <" + id + ">\r\n" +
				"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nORION-7 の資料です。\r\n"
			if err := sendPlain(s.SMTP.String(), "sato@corp.example", []string{"tanaka@partner-a.example"}, raw); err != nil {
				t.Fatal(err)
			}
			var held *queue.Item
			for _, it := range s.Queue.List(queue.Held) {
				if it.Outcome.MessageID == id {
					held = &it
				}
			}
			if held == nil {
				t.Fatalf("not held; spool %v, upstream got %d messages", s.Queue.Depth(), len(s.up.Messages()))
			}
			if held.Outcome.Sender != "sato@corp.example" || held.Department != "営業部" {
				t.Errorf("held for %s of %q, want sato of 営業部", held.Outcome.Sender, held.Department)
			}
			for _, m := range s.up.Messages() {
				if strings.Contains(string(m.Data), id) {
					t.Errorf("delivered upstream")
				}
			}
		})
	}
}
