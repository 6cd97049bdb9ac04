package eval

import (
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
	s := NewSession(Config{OrgDomains: []string{mailgen.OrgDomain}, Seed: 1}, DetectorScorer{D: &detect.Detector{Model: m}}, m)
	for _, h := range hist {
		s.History(h)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s.Test(test[i%len(test)])
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
