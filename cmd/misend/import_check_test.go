package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/eval"
	"github.com/misend/misend/internal/store"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/ingest"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model/mailgen"
	"github.com/misend/misend/internal/store/pgtest"
)

// fakeWalk makes walkMail yield msgs for any path, as ingest.Walk would.
func fakeWalk(t *testing.T, msgs []*mail.Message) {
	t.Helper()
	saved := walkMail
	walkMail = func(ctx context.Context, paths []string, opt ingest.Options, fn func(string, *mail.Message) error) (ingest.Summary, error) {
		for i, m := range msgs {
			if err := fn(fmt.Sprintf("%s#%d", paths[0], i), m); err != nil {
				return ingest.Summary{}, err
			}
		}
		return ingest.Summary{Files: 1, Messages: len(msgs), Skipped: map[string]int{}}, nil
	}
	t.Cleanup(func() { walkMail = saved })
}

func TestImportThenCheck(t *testing.T) {
	dir := t.TempDir()
	db := pgtest.Path(t, dir, "m.db")
	org := mailgen.New(mailgen.Config{Seed: 3, Insiders: 40})
	var history []*mail.Message
	org.History(60, 4, func(m *mail.Message) { history = append(history, m) })
	fakeWalk(t, history)

	out, err := runTermsCLI(t, "import", "--db", db, "--org-domain", mailgen.OrgDomain, dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%d new, 0 duplicates", len(history)); !strings.Contains(out, want) {
		t.Fatalf("first import: %q, want %q", out, want)
	}
	// Import fitted the weights on the history it learned, and says on what.
	if !strings.Contains(out, "weights: fitted on") {
		t.Errorf("first import did not fit weights: %q", out)
	}
	if s, err := store.Open(t.Context(), db); err != nil {
		t.Fatal(err)
	} else {
		w, err := detect.LoadWeights(t.Context(), s)
		s.Close()
		first, last := history[0].Date, history[0].Date
		for _, m := range history {
			first, last = minTime(first, m.Date), maxTime(last, m.Date)
		}
		if err != nil || w == nil || w.Fit == nil {
			t.Fatalf("stored weights without their provenance (%v)", err)
		}
		if w.Fit.Messages < eval.MinFitMessages || w.Fit.Until.After(last) || !w.Fit.From.After(first) {
			t.Errorf("weights fitted on %+v: want the end of the history, %v to %v", *w.Fit, first, last)
		}
	}
	// A second import of the same history, without --org-domain: nothing
	// changes and the domains come from the database.
	out, err = runTermsCLI(t, "import", "--db", db, dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(": 0 new, %d duplicates", len(history)); !strings.Contains(out, want) || !strings.Contains(out, "organisation domains: "+mailgen.OrgDomain) {
		t.Fatalf("second import: %q, want %q and the stored domain", out, want)
	}

	// Tomorrow's mail, once honest and once with a lookalike domain.
	var clean, wrong *mail.Message
	for day := 61; wrong == nil && day < 80; day++ {
		org.Day(day, 4, func(m *mail.Message) {
			if wrong != nil || m.InReplyTo != "" || !strings.HasSuffix(m.From.Addr, mailgen.OrgDomain) || strings.HasSuffix(m.To[0].Addr, mailgen.OrgDomain) {
				return
			}
			if inj, _, ok := org.Inject(m, mailgen.Lookalike); ok {
				clean, wrong = m, inj
			}
		})
	}
	if wrong == nil {
		t.Fatal("no message to inject into")
	}
	file := filepath.Join(dir, "one.eml")
	os.WriteFile(file, []byte("stand-in; parseMail is replaced"), 0o600)
	saved := parseMail
	t.Cleanup(func() { parseMail = saved })

	var got decide.Outcome
	parseMail = func(io.Reader, mail.Limits) (*mail.Message, error) { return wrong, nil }
	out, err = runTermsCLI(t, "check", "--db", db, "--json", file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	if got.File != file || got.Sender != wrong.From.Addr || got.MessageID != wrong.MessageID || got.Verdict == "pass" || got.Score < 0.5 {
		t.Fatalf("misdirected: %+v", got)
	}
	found := false
	for _, f := range got.Findings {
		if f.Code == "LOOKALIKE_DOMAIN" && f.Recipient == wrong.To[0].Addr || f.Code == "LOOKALIKE_DOMAIN" && strings.HasSuffix(f.Suggestion, clean.To[0].Domain()) {
			found = true
		}
	}
	if !found {
		t.Errorf("no LOOKALIKE_DOMAIN suggesting %s: %+v", clean.To[0].Domain(), got.Findings)
	}

	// --lang ja writes the same findings in Japanese, keys unchanged.
	var ja decide.Outcome
	out, err = runTermsCLI(t, "check", "--db", db, "--json", "--lang", "ja", file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &ja); err != nil || len(ja.Findings) != len(got.Findings) {
		t.Fatalf("--lang ja: %v %q", err, out)
	}
	for i, f := range ja.Findings {
		if f.Key != got.Findings[i].Key || f.Message == got.Findings[i].Message || !strings.ContainsFunc(f.Message, func(r rune) bool { return r >= 0x3040 }) {
			t.Errorf("--lang ja finding %d: %+v, English %+v", i, f, got.Findings[i])
		}
	}
	out, err = runTermsCLI(t, "check", "--db", db, "--lang", "ja", file)
	if err != nil || !strings.Contains(out, "送信実績のある") || !strings.Contains(out, "の間違いではありませんか") {
		t.Errorf("--lang ja text: %v %q", err, out)
	}
	if _, err := runTermsCLI(t, "check", "--db", db, "--lang", "fr", file); err == nil {
		t.Error("--lang fr accepted")
	}

	parseMail = func(io.Reader, mail.Limits) (*mail.Message, error) { return clean, nil }
	out, err = runTermsCLI(t, "check", "--db", db, file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, file+": ") || strings.Contains(out, "LOOKALIKE_DOMAIN") {
		t.Errorf("honest mail: %q", out)
	}
	var honestScore float64
	if _, err := fmt.Sscanf(out[strings.Index(out, "(score ")+len("(score "):], "%g", &honestScore); err != nil || honestScore >= got.Score {
		t.Errorf("honest mail scored %v (%v), misdirected %v", honestScore, err, got.Score)
	}

	// A directory: one JSON line per message, each in the schema.
	fakeWalk(t, []*mail.Message{clean, wrong})
	out, err = runTermsCLI(t, "check", "--db", db, "--json", dir)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", out)
	}
	for _, l := range lines {
		var o map[string]any
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"file", "message_id", "sender", "verdict", "score", "findings"} {
			if _, ok := o[k]; !ok {
				t.Errorf("line %q lacks %q", l, k)
			}
		}
	}

	// Unreadable input is an error, flagged mail is not.
	parseMail = func(io.Reader, mail.Limits) (*mail.Message, error) { return nil, errors.New("header too large") }
	if _, err := runTermsCLI(t, "check", "--db", db, file); err == nil || !strings.Contains(err.Error(), "header too large") {
		t.Errorf("parse error: %v", err)
	}
	if _, err := runTermsCLI(t, "check", "--db", filepath.Join(dir, "none.db"), file); err == nil || !strings.Contains(err.Error(), "misend import") {
		t.Errorf("missing database: %v", err)
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
