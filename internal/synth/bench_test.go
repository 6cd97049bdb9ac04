package synth

import "testing"

// BenchmarkYear generates the default organisation's year of mail; one op is
// the whole year. Reported: messages per op and bytes of raw mail per op.
func BenchmarkYear(b *testing.B) {
	o, err := New(1, DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		n, size := 0, 0
		o.Messages(func(m *Mail) error { n++; size += len(m.Raw); return nil })
		b.ReportMetric(float64(n), "msgs/op")
		b.ReportMetric(float64(size)/float64(n), "B/msg")
	}
}

func BenchmarkScenarios(b *testing.B) {
	o, err := New(1, DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := o.Scenarios(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(1, DefaultOptions()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLarge is the memory benchmark: 5000 people at three times the
// default rate, about 2.5 million messages a year, streamed and dropped.
// Run alone with -benchtime 1x and watch the process's peak RSS: it should
// stay near the size of one day's planning, not the year's.
func BenchmarkLarge(b *testing.B) {
	opt := DefaultOptions()
	opt.People, opt.Rate = 5000, 0.66
	o, err := New(1, opt)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		n := 0
		o.Messages(func(*Mail) error { n++; return nil })
		b.ReportMetric(float64(n), "msgs/op")
	}
}
