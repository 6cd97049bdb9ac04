package ingest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/misend/misend/internal/mail"
)

func benchWalk(b *testing.B, workers int) {
	dir := b.TempDir()
	const n = 2000
	for i := 0; i < n; i++ {
		write(b, filepath.Join(dir, "u", "cur", fmt.Sprintf("%05d", i)), msg("a@corp.example", fmt.Sprintf("r%d@p.example", i%50), "件名 subject"))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Walk(context.Background(), []string{dir}, Options{Workers: workers}, func(string, *mail.Message) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func BenchmarkWalk1(b *testing.B)       { benchWalk(b, 1) }
func BenchmarkWalkDefault(b *testing.B) { benchWalk(b, 0) }

// BenchmarkCSVStream walks a message-trace export of 300,000 messages (about
// 700,000 rows, one per recipient) with a caller that keeps nothing, and
// reports the peak live heap (sampled after a collection every 20,000
// messages): grouping in a window keeps it flat whatever
// the file's length (it held every message until the end of the file
// before).
func BenchmarkCSVStream(b *testing.B) {
	const n = 300000
	path := filepath.Join(b.TempDir(), "trace.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, `"Received","SenderAddress","RecipientAddress","Subject","Status","Size","MessageId","MessageTraceId"`)
	rows := 0
	for i := range n {
		for j := range 1 + i%4 {
			fmt.Fprintf(w, "\"2025-04-01T09:%02d:%02d\",\"u%d@corp.example\",\"c%d@p%d.example\",\"Subject %d\",\"Delivered\",\"%d\",\"<m%d@corp.example>\",\"t%d\"\n",
				i/60%60, i%60, i%1000, (i+j)%50, (i*7+j)%40, i, 2000+i%3000, i, rows)
			rows++
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	b.ResetTimer()
	var peak uint64
	for b.Loop() {
		var ms runtime.MemStats
		seen := 0
		sum, err := Walk(context.Background(), []string{path}, Options{Workers: 1}, func(string, *mail.Message) error {
			if seen++; seen%20000 == 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
			return nil
		})
		if err != nil || sum.Messages != n {
			b.Fatalf("%d messages, %v", sum.Messages, err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-live-MB")
}
