package main

import (
	"context"
	"net/smtp"
	"testing"
	"time"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/queue"
)

// TestServeFollowsTermLists: a term approved while misend serves applies
// to the next message, without a restart.
func TestServeFollowsTermLists(t *testing.T) {
	defer func(d time.Duration) { termsFollowEvery = d }(termsFollowEvery)
	termsFollowEvery = 200 * time.Millisecond
	ctx := context.Background()
	s := startServed(t, []directory.Person{
		{Address: "sato@corp.example", Name: "Sato", Department: "営業部", Roles: []directory.Role{directory.RoleSender}},
		{Address: "boss@corp.example", Name: "Boss", Department: "営業部", Roles: []directory.Role{directory.RoleApprover}},
	}, "")
	db := s.db

	send := func(id string) {
		t.Helper()
		msg := "From: sato@corp.example\r\nTo: boss@corp.example\r\nCc: tanaka@partner.example\r\nSubject: plan\r\nMessage-ID: <" + id + "@corp.example>\r\n\r\nThe ORION-7 plan is attached.\r\n"
		if err := smtp.SendMail(s.SMTP.String(), nil, "sato@corp.example", []string{"boss@corp.example", "tanaka@partner.example"}, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	stateOf := func(id string) queue.State {
		for _, st := range []queue.State{queue.Queued, queue.Delivering, queue.Delivered, queue.Held, queue.Confirming, queue.Delayed} {
			for _, it := range s.Queue.List(st) {
				if it.Outcome.MessageID == id+"@corp.example" {
					return st
				}
			}
		}
		return ""
	}

	send("before")
	if st := stateOf("before"); st == queue.Held {
		t.Fatalf("held before any term was listed")
	}
	addOrionTerm(t, ctx, db)
	deadline := time.Now().Add(termsFollowEvery + 5*time.Second)
	for i := 0; ; i++ {
		id := "after" + string(rune('a'+i))
		send(id)
		if stateOf(id) == queue.Held {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a listed term still passes %s after it was added", termsFollowEvery+5*time.Second)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
