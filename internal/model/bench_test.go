package model_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/model/mailgen"
	"github.com/misend/misend/internal/store"
)

// BenchmarkLearn learns a generated 1000-person organisation's mail, one
// message per op (generation happens before the timer).
func BenchmarkLearn(b *testing.B) {
	org := mailgen.New(mailgen.Config{Seed: 1, Insiders: 1000})
	var msgs []*mail.Message
	for day := 0; len(msgs) < 200000; day++ {
		org.Day(day, 4, func(m *mail.Message) { msgs = append(msgs, m) })
	}
	m := model.New(model.Config{OrgDomains: []string{mailgen.OrgDomain}})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%len(msgs) == 0 && i > 0 {
			b.StopTimer()
			m = model.New(model.Config{OrgDomains: []string{mailgen.OrgDomain}})
			b.StartTimer()
		}
		m.Learn(msgs[i%len(msgs)])
	}
}

// TestYearOfHistoryMemory learns a year of a 1000-person organisation
// (about 2.5 million messages) and logs the peak RSS. It is a measurement,
// not an assertion: run it with MISEND_MEASURE=1 go test -run YearOf -v.
func TestYearOfHistoryMemory(t *testing.T) {
	if os.Getenv("MISEND_MEASURE") == "" {
		t.Skip("set MISEND_MEASURE=1 to measure")
	}
	org := mailgen.New(mailgen.Config{Seed: 1, Insiders: 1000})
	m := model.New(model.Config{OrgDomains: []string{mailgen.OrgDomain}, Department: func(string) string { return "" }})
	start := time.Now()
	n := 0
	org.History(365, 10, func(msg *mail.Message) { m.Learn(msg); n++ })
	el := time.Since(start)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st := m.Stats()
	t.Logf("%d messages (%+v) in %v (%.0f msgs/s incl. generation); heap in use %d MiB; peak RSS %s",
		n, st, el.Round(time.Millisecond), float64(n)/el.Seconds(), ms.HeapInuse>>20, peakRSS())

	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start = time.Now()
	if err := m.Save(ctx, db); err != nil {
		t.Fatal(err)
	}
	saved := time.Since(start)
	start = time.Now()
	l, err := model.Load(ctx, db, model.Config{})
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	t.Logf("save %v, load %v (%d messages), database %d MiB; peak RSS %s", saved.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), l.Stats().Learned, fi.Size()>>20, peakRSS())
}

func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "unknown"
}
