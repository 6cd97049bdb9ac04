package journal

import (
	"context"
	"fmt"
	"testing"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/store/pgtest"
)

// BenchmarkAppend measures appending observations the way an import does,
// in batches of 10,000, on the database MISEND_TEST_DB names.
func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	db := open(b, pgtest.Path(b, b.TempDir(), "j.db"))
	j, err := Open(ctx, db, "bench")
	if err != nil {
		b.Fatal(err)
	}
	m := model.New(cfg)
	batch := make([]model.Observation, 10_000)
	for i := range batch {
		batch[i] = m.Observe(&mail.Message{MessageID: fmt.Sprintf("<%d@corp.example>", i), Date: t0,
			From: mail.Address{Name: "佐藤 一郎", Addr: "sato@corp.example"},
			To:   []mail.Address{{Name: "田中 太郎", Addr: "tanaka@partner.example"}, {Addr: "kato@corp.example"}}})
	}
	b.ResetTimer()
	for range b.N {
		if err := j.Append(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "obs/s")
}
