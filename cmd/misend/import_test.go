package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/ingest"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/model/mailgen"
	"github.com/misend/misend/internal/store/pgtest"
)

// TestImportReads: a first import reads the mail twice (the dates that
// place the fit window, then learning and fitting in one model); one
// adding to a learned model reads it twice too (learning, which notes the
// dates, then the fit's replay), and fits the weights again.
func TestImportReads(t *testing.T) {
	dir := t.TempDir()
	db := pgtest.Path(t, dir, "m.db")
	org := mailgen.New(mailgen.Config{Seed: 5, Insiders: 40})
	var history []*mail.Message
	org.History(60, 4, func(m *mail.Message) { history = append(history, m) })
	half := len(history) / 2

	var walks int
	for _, step := range []struct {
		name string
		msgs []*mail.Message
		args []string
	}{
		{"first import", history[:half], []string{"--org-domain", mailgen.OrgDomain}},
		// Without --org-domain: the domains stored with the model are
		// the fit's too.
		{"adding to it", history, nil},
	} {
		fakeWalk(t, step.msgs)
		walks = 0
		read := walkMail
		walkMail = func(ctx context.Context, paths []string, opt ingest.Options, fn func(string, *mail.Message) error) (ingest.Summary, error) {
			walks++
			return read(ctx, paths, opt, fn)
		}
		out, err := runTermsCLI(t, append(append([]string{"import", "--db", db}, step.args...), dir)...)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if !strings.Contains(out, "weights: fitted on") {
			t.Errorf("%s: no weights fitted: %q", step.name, out)
		}
		if walks != 2 {
			t.Errorf("%s: the mail was read %d times, want 2", step.name, walks)
		}
	}
}

// The fit window counts messages, not their copies: the same message in
// the sender's folder and in each insider recipient's is one date.
func TestInsiderDatesCountMessagesOnce(t *testing.T) {
	d := newInsiderDates(model.New(model.Config{OrgDomains: []string{"corp.example"}}))
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	msg := func(id string, from string, day int) *mail.Message {
		return &mail.Message{MessageID: id, From: mail.Address{Addr: from}, Date: at.AddDate(0, 0, day),
			To: []mail.Address{{Addr: "kato@corp.example"}, {Addr: "ueda@law.example"}}}
	}
	for range 3 { // the sender's copy and two recipients'
		d.add(msg("a@corp.example", "ito@corp.example", 0))
	}
	d.add(msg("b@corp.example", "ito@corp.example", 1))
	d.add(msg("c@law.example", "ueda@law.example", 2))                                                        // an outsider's
	d.add(msg("d@corp.example", "ito@corp.example", 365*40))                                                  // dated in the future
	d.add(&mail.Message{MessageID: "e@corp.example", From: mail.Address{Addr: "ito@corp.example"}, Date: at}) // no recipient
	got := d.dates()
	want := []time.Time{at, at.AddDate(0, 0, 1)}
	slices.SortFunc(got, time.Time.Compare)
	if !slices.Equal(got, want) {
		t.Errorf("dates %v, want %v", got, want)
	}
}
