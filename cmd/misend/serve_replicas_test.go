package main

import (
	"context"
	"fmt"
	"net/smtp"
	"os"
	"path/filepath"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/store/pgtest"
)

// TestServeReplicasLearnTogether: two `misend serve` replicas on one
// PostgreSQL database. Mail that leaves through one is learned by the
// other within seconds, so is history imported meanwhile, and the snapshot
// either saves lets a third start with all of it.
func TestServeReplicasLearnTogether(t *testing.T) {
	dsn := pgtest.DSN(t)
	people := []directory.Person{
		{Address: "sato@corp.example", Name: "Sato", Department: "営業部", Roles: []directory.Role{directory.RoleSender}},
		{Address: "kato@corp.example", Name: "Kato", Department: "法務部", Roles: []directory.Role{directory.RoleSender}},
	}
	a := startServedOn(t, dsn, people, "")
	b := startServedOn(t, dsn, people, "")
	send := func(via *served, from, to string, n int) {
		t.Helper()
		msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: hello\r\nMessage-ID: <r%d@corp.example>\r\n\r\nhello\r\n", from, to, n)
		if err := smtp.SendMail(via.SMTP.String(), nil, from, []string{to}, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	knows := func(m *model.Model, from, to string) bool { return m.Contact(from, to, time.Now()).Sent > 0 }
	waitKnows := func(m *model.Model, from, to string) {
		t.Helper()
		for end := time.Now().Add(15 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
			if knows(m, from, to) {
				return
			}
		}
		t.Fatalf("the model never learned %s → %s", from, to)
	}
	send(a, "sato@corp.example", "tanaka@partner.example", 1)
	send(b, "kato@corp.example", "lawyer@firm.example", 2)
	waitKnows(b.model, "sato@corp.example", "tanaka@partner.example")
	waitKnows(a.model, "kato@corp.example", "lawyer@firm.example")
	position := func() float64 {
		var m dto.Metric
		a.Metrics.JournalAt.Write(&m)
		return m.GetGauge().GetValue()
	}
	for end := time.Now().Add(5 * time.Second); position() < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("misend_model_journal_position %v, want both messages' entries", position())
		}
	}

	// History imported while the replicas run reaches them too, and is not
	// lost when they save their models afterwards.
	hist := t.TempDir()
	os.WriteFile(filepath.Join(hist, "old.eml"), []byte("From: sato@corp.example\r\nTo: client@imported.example\r\n"+
		"Date: Mon, 2 Nov 2026 09:00:00 +0900\r\nMessage-ID: <old1@corp.example>\r\nSubject: old\r\n\r\nhello\r\n"), 0o644)
	if err := (&importCmd{Paths: []string{hist}}).Run(&Globals{DB: dsn, OrgDomain: []string{"corp.example"}}); err != nil {
		t.Fatal(err)
	}
	waitKnows(a.model, "sato@corp.example", "client@imported.example")

	// Whichever saves last, a replica starting from the database knows all.
	ctx := context.Background()
	if err := a.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	c := startServedOn(t, dsn, people, "")
	if !knows(c.model, "sato@corp.example", "tanaka@partner.example") || !knows(c.model, "kato@corp.example", "lawyer@firm.example") ||
		!knows(c.model, "sato@corp.example", "client@imported.example") {
		t.Error("a replica started later lacks what the first two learned or the import")
	}
	if st := c.model.Stats(); st.Learned != 3 {
		t.Errorf("the third replica learned %d messages, want 3 once each", st.Learned)
	}
}
