package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/eval"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model/mailgen"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

func TestEvalCommand(t *testing.T) {
	org := mailgen.New(mailgen.Config{Seed: 5, Insiders: 40})
	var msgs []*mail.Message
	org.History(40, 3, func(m *mail.Message) { msgs = append(msgs, m) })
	fakeWalk(t, msgs)
	dir := t.TempDir()
	db := pgtest.Path(t, dir, "m.db")

	out, err := runTermsCLI(t, "eval", "--db", db, "--split", "0.8", "--max-test", "150",
		"--strategies", "same-name,lookalike-domain", "--json", "--save-weights", "corpus")
	if err != nil {
		t.Fatal(err)
	}
	var rep eval.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	if len(rep.OrgDomains) != 1 || rep.OrgDomains[0] != mailgen.OrgDomain {
		t.Errorf("inferred org domains %v", rep.OrgDomains)
	}
	if rep.Test != 150 || len(rep.Tables) != 4 || rep.Fitted == nil {
		t.Fatalf("test %d, tables %d, fitted %v", rep.Test, len(rep.Tables), rep.Fitted)
	}
	var names []string
	for _, r := range rep.Tables[0].Rows {
		names = append(names, r.Strategy+"/"+string(r.Mode))
	}
	if got := strings.Join(names, " "); got != "same-name/replace same-name/add lookalike-domain/replace lookalike-domain/add all/" {
		t.Errorf("rows %s", got)
	}
	s, err := store.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w, err := detect.LoadWeights(t.Context(), s)
	if err != nil || w == nil || w.Intercept != rep.Fitted.Intercept {
		t.Errorf("stored weights %v, %v; want the fitted ones", w, err)
	}

	samples := filepath.Join(t.TempDir(), "samples.jsonl")
	text, err := runTermsCLI(t, "eval", "--db", db, "--org-domain", mailgen.OrgDomain, "--max-test", "50", "--samples", samples, "corpus")
	if err != nil || !strings.Contains(text, "autocomplete") || !strings.Contains(text, "fitted weights, test messages") ||
		!strings.Contains(text, "would have stopped") {
		t.Errorf("text report (%v):\n%s", err, text)
	}
	// One line per sample: 50 clean, naming their message and sender, and
	// the injected ones with what was swapped for what.
	b, err := os.ReadFile(samples)
	if err != nil {
		t.Fatal(err)
	}
	clean, injected := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var s struct {
			Strategy, Wrong string
			MessageID       string `json:"message_id"`
			From            string
			Score           float64
			Features        map[string]float64
		}
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			t.Fatalf("sample line %q: %v", line, err)
		}
		if s.Strategy == "" && s.MessageID != "" && strings.HasSuffix(s.From, "@"+mailgen.OrgDomain) {
			clean++
		} else if s.Strategy == "" {
			t.Errorf("clean sample %q names no message or an outside sender", line)
		} else if s.Wrong != "" && len(s.Features) > 0 {
			injected++
		}
	}
	if clean != 50 || injected == 0 {
		t.Errorf("samples file: %d clean, %d injected with features; want 50 and some", clean, injected)
	}
	// The stored weights were fitted on the fit window of the first run;
	// a test period that reaches into it is refused.
	if _, err := runTermsCLI(t, "eval", "--db", db, "--split", "0.5", "--max-test", "20", "corpus"); err == nil ||
		!strings.Contains(err.Error(), "overlaps") {
		t.Errorf("eval on mail the stored weights were fitted on: %v, want a refusal", err)
	}
	if _, err := runTermsCLI(t, "eval", "--db", db, "--split", "0.5", "--max-test", "20", "--allow-seen", "corpus"); err != nil {
		t.Errorf("--allow-seen: %v", err)
	}
	for _, bad := range [][]string{
		{"eval", "--strategies", "nonsense", "corpus"},
		{"eval", "--inject", "swap", "corpus"},
		{"eval"},
		{"eval", "--test", "x", "corpus"},
	} {
		if _, err := runTermsCLI(t, bad...); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}
