package detect

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/model/mailgen"
)

// BenchmarkCheck checks messages against a 1000-person model learned from
// 60 working days of history; the messages are the following day's mail,
// clean and with injected mistakes (one in five), one message per op.
func BenchmarkCheck(b *testing.B) {
	org := mailgen.New(mailgen.Config{Seed: 1, Insiders: 1000})
	m := model.New(model.Config{OrgDomains: []string{mailgen.OrgDomain}})
	org.History(84, 4, func(msg *mail.Message) { m.Learn(msg) })
	var msgs []*mail.Message
	org.Day(85, 4, func(msg *mail.Message) {
		msgs = append(msgs, msg)
		if len(msgs)%4 == 0 {
			if inj, _, ok := org.Inject(msg, mailgen.Strategies[len(msgs)%len(mailgen.Strategies)]); ok {
				msgs = append(msgs, inj)
			}
		}
	})
	d := &Detector{Model: m}
	now := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Check(msgs[i%len(msgs)], now)
	}
}

// BenchmarkCheckHostile checks a worst case: 200 new recipients at new
// domains and a body of greetings, against a 1000-person model.
func BenchmarkCheckHostile(b *testing.B) {
	d, msg, now := hostile(1000, 60)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Check(msg, now)
	}
}

// BenchmarkScoreFitted is the score alone with weights as import fits
// them: the regression and the full forest of trees.
func BenchmarkScoreFitted(b *testing.B) {
	x, y := randomSamples(4000)
	w, err := Fit(x, y)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(w.Trees)), "trees")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		w.Score(x[i%len(x)])
	}
}

// BenchmarkFit fits the regression and the forest on as many samples as
// import's fit window gives (6000 messages, clean and with each kind of
// slip put in twice), one fit per op.
func BenchmarkFit(b *testing.B) {
	x, y := randomSamples(66000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Fit(x, y); err != nil {
			b.Fatal(err)
		}
	}
}

// randomSamples are n feature vectors, every other one a mistake whose
// every third feature runs higher.
func randomSamples(n int) ([]Features, []bool) {
	r := rand.New(rand.NewPCG(1, 2))
	var x []Features
	var y []bool
	for i := 0; i < n; i++ {
		f := make(Features, numFeatures)
		bad := i%2 == 0
		for j := range f {
			f[j] = r.Float64()
			if bad && j%3 == 0 {
				f[j] += 0.5 * r.Float64()
			}
		}
		x, y = append(x, f), append(y, bad)
	}
	return x, y
}

// hostile is the worst case a check meets: a sender of a model of insiders
// people who learned days of mail, writing to 200 new recipients at new
// domains, all alike, under a body of greetings.
func hostile(insiders, days int) (*Detector, *mail.Message, time.Time) {
	org := mailgen.New(mailgen.Config{Seed: 1, Insiders: insiders})
	m := model.New(model.Config{OrgDomains: []string{mailgen.OrgDomain}})
	org.History(days, 4, func(msg *mail.Message) { m.Learn(msg) })
	p := org.People[org.Insiders[0]]
	msg := &mail.Message{From: mail.Address{Addr: p.Addr}, Text: strings.Repeat("田中様、鈴木様、佐藤様、", 200)}
	for i := range 200 {
		msg.To = append(msg.To, mail.Address{Name: "Tanaka Taro", Addr: fmt.Sprintf("tanaka%d@new%d-shoji.co.jp", i, i)})
	}
	return &Detector{Model: m}, msg, time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
}
