package main

import (
	"bytes"
	"context"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/synth"
	"github.com/misend/misend/internal/terms"
)

// The import and check benchmarks measure what one message costs on the
// paths `misend import` and `misend check` take, parsing included, against
// the default synthetic organisation: 1000 people, mail in the mix of
// ISO-2022-JP, UTF-8, quoted-printable and base64 Japanese offices send,
// some with attachments. Run them on one core, as the throughput bars are
// stated: go test ./cmd/misend -run X -bench 'Import|Check' -cpu 1 -benchmem
const (
	benchWarmDays = 90    // history learned before the timed messages
	benchPool     = 60000 // raw messages the timed loop walks through
)

type benchCorpus struct {
	org   *synth.Org
	dir   *directory.Directory
	warm  []*mail.Message // parsed history of the first benchWarmDays
	pool  [][]byte        // raw messages after the warm history
	bytes int64
}

var (
	benchOnce sync.Once
	benchData benchCorpus
	benchErr  error
)

func loadBenchCorpus(b *testing.B) *benchCorpus {
	b.Helper()
	benchOnce.Do(func() {
		c := &benchData
		c.org, benchErr = synth.New(1, synth.DefaultOptions())
		if benchErr != nil {
			return
		}
		var dirCSV bytes.Buffer
		if benchErr = c.org.WriteDirectoryCSV(&dirCSV); benchErr != nil {
			return
		}
		people, err := directory.ParseCSV(&dirCSV)
		if err != nil {
			benchErr = err
			return
		}
		c.dir = directory.New(people, []string{c.org.Opt.Domain})
		cut := c.org.Opt.Start.AddDate(0, 0, benchWarmDays)
		benchErr = c.org.Messages(func(m *synth.Mail) error {
			if m.Date.Before(cut) {
				msg, err := mail.Parse(bytes.NewReader(m.Raw), mail.Limits{})
				if err == nil {
					c.warm = append(c.warm, msg)
				}
				return nil
			}
			if len(c.pool) == benchPool {
				return errEnough
			}
			c.pool = append(c.pool, bytes.Clone(m.Bytes(synth.Sent)))
			c.bytes += int64(len(c.pool[len(c.pool)-1]))
			return nil
		})
		if benchErr == errEnough {
			benchErr = nil
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return &benchData
}

type enough struct{}

func (enough) Error() string { return "enough" }

var errEnough error = enough{}

func (c *benchCorpus) model() *model.Model {
	m := model.New(model.Config{OrgDomains: []string{c.org.Opt.Domain}, Department: c.dir.DepartmentOf, Addressed: detect.AddressedCompanies})
	for _, msg := range c.warm {
		m.Learn(msg)
	}
	return m
}

// terms builds the confidential lists a deployment would keep: each
// department's vocabulary and each project group's code name.
func (c *benchCorpus) terms() []terms.Term {
	var out []terms.Term
	for _, d := range c.org.Departments {
		for _, t := range d.Terms {
			out = append(out, terms.Term{Scope: terms.Scope("department:" + d.Name), Text: t, Weight: 0.8})
		}
	}
	for _, g := range c.org.Groups {
		out = append(out, terms.Term{Scope: terms.Scope("group:" + g.Name), Text: g.Name, Weight: 0.9})
	}
	return out
}

// cpuTime is the process's CPU time so far. On a shared machine wall time
// per op swings with the neighbours' load; CPU time per op (GC included,
// since GOMAXPROCS=1 runs it on the same core) does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (c *benchCorpus) report(b *testing.B, cpu0 time.Duration) {
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(b.N)/cpu.Seconds(), "msgs/cpu-s")
	b.ReportMetric(float64(c.bytes)/float64(len(c.pool)), "B/msg")
}

// BenchmarkImport is mail.Parse then model.Learn, one message per op, into a
// model that already holds 90 days of the organisation's mail.
func BenchmarkImport(b *testing.B) {
	c := loadBenchCorpus(b)
	m := c.model()
	b.SetBytes(c.bytes / int64(len(c.pool)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		j := i % len(c.pool)
		if j == 0 && i > 0 {
			// Learning a message twice is a cheap no-op; start over from
			// the warm model so every timed op learns something new.
			b.StopTimer()
			m = c.model()
			b.StartTimer()
		}
		msg, err := mail.Parse(bytes.NewReader(c.pool[j]), mail.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		m.Learn(msg)
	}
	c.report(b, cpu0)
}

// BenchmarkCheck is mail.Parse then the whole decision (detectors,
// confidential-term and personal-data checks, score, policy), one message
// per op, as `misend check` and the gateway run it.
func BenchmarkCheck(b *testing.B) {
	c := loadBenchCorpus(b)
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	content := terms.NewCheckerFrom(c.dir, c.terms(), nil, nil)
	path := check.Path(&detect.Detector{Model: c.model(), Content: []detect.ContentChecker{content}}, pol, check.Fixed{Directory: c.dir})
	b.SetBytes(c.bytes / int64(len(c.pool)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		msg, err := mail.Parse(bytes.NewReader(c.pool[i%len(c.pool)]), mail.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		now := msg.Date
		if now.IsZero() {
			now = time.Unix(0, 0)
		}
		path.DecideMessage(context.Background(), decide.Envelope{From: msg.From.Addr, At: now}, msg)
	}
	c.report(b, cpu0)
}

// BenchmarkParseSynth is mail.Parse alone over the same messages, to tell
// parsing from learning and checking.
func BenchmarkParseSynth(b *testing.B) {
	c := loadBenchCorpus(b)
	b.SetBytes(c.bytes / int64(len(c.pool)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := mail.Parse(bytes.NewReader(c.pool[i%len(c.pool)]), mail.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
	c.report(b, cpu0)
}
