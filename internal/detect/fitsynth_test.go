package detect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/eval"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/synth"
)

var update = flag.Bool("update", false, "refit and rewrite weights.json")

// The organisation the built-in weights are fitted on: a synthetic one
// (package synth) rendered to real MIME and read back with the real parser,
// with a seed no reported figure uses.
const (
	fitSeed   = 3
	fitPeople = 1000
	fitDays   = 240
)

// builtinStrategies are the slips the built-in weights are fitted on:
// all but recent-contact. A linear score that must catch a real contact in
// place of another leans on the thread and the other recipients, and then
// asks the sender to confirm an honest reply that brings in a colleague
// (TestShapes). Installations fit on every kind, with trees, on their own
// history (misend import), where the honest shapes are the organisation's.
func builtinStrategies() []eval.Strategy {
	var out []eval.Strategy
	for _, s := range eval.Strategies() {
		if _, recent := s.(eval.RecentContact); !recent {
			out = append(out, s)
		}
	}
	return out
}

// generatorFeatures are the positions of the features the built-in
// weights leave out, because on a generated organisation they measure its
// generator more than its people:
//   - those that compare a message's words with what its recipients' mail
//     is about: the words come from templates, one set per project (fitted
//     on them, the built-ins warned on 10.6% of Enron's honest mail
//     instead of 7.4%);
//   - thread_outsider: the generator's replies bring people in its own few
//     ways, and once conversations under a common subject were kept apart
//     it took the largest coefficient the fit allows and the built-ins
//     warned on 12.0% of Enron's honest mail (6.5% without it).
func generatorFeatures() []int {
	var out []int
	for i, n := range detect.FeatureNames {
		if strings.HasPrefix(n, "topic_") || n == "similar_contact_topic" || n == "thread_outsider" {
			out = append(out, i)
		}
	}
	return out
}

// synthRun replays a synthetic organisation the way `misend eval` does
// after `misend directory import`: the first 80% of its mail by date is
// history, the rest is scored clean and with each strategy's mistake.
func synthRun(t testing.TB, seed uint64, people, days int, w *detect.Weights) *eval.Run {
	t.Helper()
	opt := synth.DefaultOptions()
	opt.People, opt.Days = people, days
	org, err := synth.New(seed, opt)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []*mail.Message
	err = org.Messages(func(m *synth.Mail) error {
		msg, err := mail.Parse(bytes.NewReader(m.Bytes(synth.Sent)), mail.Limits{})
		if err != nil {
			return err
		}
		msgs = append(msgs, msg)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var csv bytes.Buffer
	if err := org.WriteDirectoryCSV(&csv); err != nil {
		t.Fatal(err)
	}
	people2, err := directory.ParseCSV(&csv)
	if err != nil {
		t.Fatal(err)
	}
	dir := directory.New(people2, nil)
	orgDomains := []string{opt.Domain}
	m := model.New(model.Config{OrgDomains: orgDomains, Department: dir.DepartmentOf, Addressed: detect.AddressedCompanies})
	history, test := eval.Split(eval.Dedupe(msgs), 0.8)
	run, err := eval.Replay(context.Background(), eval.Config{OrgDomains: orgDomains, Strategies: builtinStrategies()}, history, test,
		eval.DetectorScorer{D: &detect.Detector{Model: m, Weights: w}}, m)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// TestFitDefaultWeights refits the built-in weights with -update; without
// it, it checks that weights.json is what fitting gives today.
func TestFitDefaultWeights(t *testing.T) {
	if testing.Short() {
		t.Skip("generates, parses and replays a synthetic organisation")
	}
	run := synthRun(t, fitSeed, fitPeople, fitDays, nil)
	var x []detect.Features
	var y []bool
	for _, s := range run.Samples {
		f := slices.Clone(s.Features)
		for _, i := range generatorFeatures() {
			f[i] = 0
		}
		x = append(x, f)
		y = append(y, s.Injected())
	}
	// Linear only: trees fitted on a generated organisation would learn
	// its generator's habits as much as mistakes. Installations fit
	// trees on their own history (misend import).
	w, err := detect.FitLinear(x, y)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		b, err := json.MarshalIndent(w, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("weights.json", append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote weights.json from %d samples of %d test messages", len(x), run.Test)
		return
	}
	def := detect.DefaultWeights()
	if !slices.Equal(def.Names, detect.FeatureNames) {
		t.Fatalf("weights.json names %v, want %v (run with -update)", def.Names, detect.FeatureNames)
	}
	for i := range w.Coef {
		if d := w.Coef[i] - def.Coef[i]; d > 1e-6 || d < -1e-6 {
			t.Fatalf("weights.json is stale at %s: %v, fitting gives %v (run with -update)", detect.FeatureNames[i], def.Coef[i], w.Coef[i])
		}
	}
}
