package model_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/model/mailgen"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

// TestSavedModelScoresIdentically checks the next day's mail, honest and
// with misdirected recipients injected, against a model and against the
// same model saved to SQLite and loaded: every score, finding and feature
// must be the same.
func TestSavedModelScoresIdentically(t *testing.T) {
	org := mailgen.New(mailgen.Config{Seed: 7, Insiders: 150})
	dept := map[string]string{}
	for _, i := range org.Insiders {
		dept[org.People[i].Addr] = string(rune('A' + org.People[i].Dept))
	}
	cfg := model.Config{OrgDomains: []string{mailgen.OrgDomain}, Department: func(a string) string { return dept[a] }}
	m := model.New(cfg)
	org.History(40, 4, func(msg *mail.Message) { m.Learn(msg) })

	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.Path(t, t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := m.Save(ctx, db); err != nil {
		t.Fatal(err)
	}
	l, err := model.Load(ctx, db, cfg)
	if err != nil {
		t.Fatal(err)
	}

	var msgs []*mail.Message
	for day := 40; len(msgs) < 400; day++ { // past any weekend
		org.Day(day, 4, func(msg *mail.Message) {
			msgs = append(msgs, msg)
			if inj, _, ok := org.Inject(msg, mailgen.Strategies[len(msgs)%len(mailgen.Strategies)]); ok {
				msgs = append(msgs, inj)
			}
		})
	}
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	before, after := &detect.Detector{Model: m}, &detect.Detector{Model: l}
	flagged := 0
	for i, msg := range msgs {
		a, b := before.Check(msg, now), after.Check(msg, now)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("message %d scores differently after loading:\nbefore %+v\nafter  %+v", i, a, b)
		}
		if len(a.Findings) > 0 {
			flagged++
		}
	}
	// Identical results are only telling if the model says something.
	if flagged == 0 || flagged == len(msgs) {
		t.Errorf("%d of %d messages have findings; the comparison needs both kinds", flagged, len(msgs))
	}
	t.Logf("%d messages, %d with findings, identical", len(msgs), flagged)
}
