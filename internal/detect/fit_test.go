package detect

import (
	"fmt"
	"slices"
	"testing"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/model/mailgen"
)

// sample is one scored test message.
type sample struct {
	f        Features
	bad      bool
	strategy mailgen.Strategy
	msg      *mail.Message
	res      Result
}

// generated learns days of a generated organisation's history, then checks
// the next testDays of its mail, each message clean and, per strategy, with
// one misdirected recipient injected.
func generated(t testing.TB, seed uint64, insiders, days, testDays int, w *Weights) []sample {
	t.Helper()
	org := mailgen.New(mailgen.Config{Seed: seed, Insiders: insiders})
	dept := func(a string) string {
		for _, p := range org.People {
			if p.Addr == a && p.Dept >= 0 {
				return fmt.Sprint("dept", p.Dept)
			}
		}
		return ""
	}
	byAddr := map[string]string{}
	for _, p := range org.People {
		if p.Dept >= 0 {
			byAddr[p.Addr] = dept(p.Addr)
		}
	}
	m := model.New(model.Config{OrgDomains: []string{mailgen.OrgDomain}, Department: func(a string) string { return byAddr[a] }})
	org.History(days, 4, func(msg *mail.Message) { m.Learn(msg) })
	d := &Detector{Model: m, Weights: w}
	var out []sample
	for day := days; day < days+testDays; day++ {
		org.Day(day, 4, func(msg *mail.Message) {
			if !m.IsInternal(msg.From.Addr) {
				m.Learn(msg)
				return
			}
			now := msg.Date
			r := d.Check(msg, now)
			out = append(out, sample{f: r.Features, msg: msg, res: r})
			for _, s := range mailgen.Strategies {
				inj, _, ok := org.Inject(msg, s)
				if !ok {
					continue
				}
				r := d.Check(inj, now)
				out = append(out, sample{f: r.Features, bad: true, strategy: s, msg: inj, res: r})
			}
			// Learning as the day goes, as the gateway does.
			m.Learn(msg)
		})
	}
	return out
}

// TestDetectionTarget checks that the built-in weights, fitted on a
// synthetic organisation from package synth, carry over to an organisation
// from another generator (package model/mailgen: other names, habits and
// mistakes), measured the way `misend eval` does: the alarm threshold is
// the score that 2% of clean mail reaches. The floor is below the 95% that
// `misend eval` is held to on synth organisations (see the report), since
// the weights never saw this generator; falling under it means a feature or
// the fit broke. The warn band (0.5) must stay near the alarm rate too.
func TestDetectionTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and learns a synthetic organisation")
	}
	samples := generated(t, 2, 400, 120, 5, nil)
	report(t, samples, 0.90, 0.04)
}

func report(t *testing.T, samples []sample, floor, warnMax float64) {
	t.Helper()
	var clean []float64
	for _, s := range samples {
		if !s.bad {
			clean = append(clean, s.res.Score)
		}
	}
	slices.Sort(clean)
	thr := clean[int(float64(len(clean))*0.98)]
	warned := 0
	for _, c := range clean {
		if c >= 0.5 {
			warned++
		}
	}
	fp := float64(warned) / float64(len(clean))
	t.Logf("clean mail: %d; at the warn band 0.5: %.2f%% flagged; 2%% alarm threshold: %.3f", len(clean), 100*fp, thr)
	if fp > warnMax {
		t.Errorf("%.2f%% of clean mail reaches the warn band, want ≤ %.0f%%", 100*fp, 100*warnMax)
	}
	hit := map[mailgen.Strategy][3]int{}
	for _, s := range samples {
		if !s.bad {
			continue
		}
		h := hit[s.strategy]
		h[2]++
		if s.res.Score > thr {
			h[0]++
		}
		if s.res.Score >= 0.5 {
			h[1]++
		}
		hit[s.strategy] = h
	}
	for _, s := range mailgen.Strategies {
		h := hit[s]
		rate := float64(h[0]) / float64(max(1, h[2]))
		t.Logf("%-12s detected at 2%% alarm %d/%d = %.1f%%; at the warn band %.1f%%", s, h[0], h[2], 100*rate, 100*float64(h[1])/float64(max(1, h[2])))
		if h[2] == 0 || rate < floor {
			t.Errorf("%s: %.1f%% detected at 2%% alarm, want ≥ %.0f%%", s, 100*rate, 100*floor)
		}
	}
}
