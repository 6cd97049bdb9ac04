package ingest

import (
	"context"
	"fmt"
	"path/filepath"
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
