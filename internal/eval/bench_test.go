package eval

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/model/mailgen"
)

// BenchmarkReplay measures one test message: scored clean and with the four
// strategies in both modes (nine scores), then learned. History is 200
// insiders over 60 days.
func BenchmarkReplay(b *testing.B) {
	org := mailgen.New(mailgen.Config{Seed: 21, Insiders: 200})
	var all []*mail.Message
	org.History(60, 3, func(m *mail.Message) { all = append(all, m) })
	hist, test := Split(all, 0.8)
	m := model.New(model.Config{OrgDomains: []string{mailgen.OrgDomain}})
	cfg := Config{OrgDomains: []string{mailgen.OrgDomain}}
	if _, err := Replay(context.Background(), cfg, hist, nil, DetectorScorer{D: &detect.Detector{Model: m}}, m); err != nil {
		b.Fatal(err)
	}
	sc := DetectorScorer{D: &detect.Detector{Model: m}}
	x := newIndex(cfg.OrgDomains)
	for _, h := range hist {
		x.add(h)
	}
	run := &Run{Skipped: map[string]int{}, Examples: map[string][]Example{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		msg := test[i%len(test)]
		if !x.org.isTestMessage(msg) {
			continue
		}
		run.score(1, x, msg, Strategies(), []Mode{Replace, Add}, sc)
		m.Learn(msg)
		x.add(msg)
	}
}

func BenchmarkMeasure(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	clean, inj := make([]float64, 10000), make([]float64, 10000)
	for i := range clean {
		clean[i], inj[i] = r.Float64(), r.Float64()*0.5+0.5
	}
	b.ReportAllocs()
	for b.Loop() {
		Measure(clean, inj)
	}
}
