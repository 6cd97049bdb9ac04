package model

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestPairCountsMatchesMap drives the sorted pair table and a plain map
// with the same increments, across many merges, and compares every count.
func TestPairCountsMatchesMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var pc pairCounts
	want := map[uint64]uint32{}
	for i := 0; i < 20000; i++ {
		// A few hot pairs and a long tail, as a sender's recipients are.
		k := pairKey(uint32(r.IntN(40)), uint32(r.IntN(3000)))
		if r.IntN(3) == 0 {
			k = pairKey(uint32(r.IntN(5)), uint32(r.IntN(5)+5))
		}
		pc.inc(k)
		want[k]++
		if i%997 == 0 {
			for q := 0; q < 50; q++ {
				k := pairKey(uint32(r.IntN(40)), uint32(r.IntN(3000)))
				if got := pc.get(k); got != want[k] {
					t.Fatalf("after %d increments: get(%x) = %d, want %d", i, k, got, want[k])
				}
			}
		}
	}
	if pc.len() != len(want) {
		t.Fatalf("len %d, want %d", pc.len(), len(want))
	}
	if len(pc.keys) == 0 || len(pc.fresh) > max(minFresh, len(pc.keys)/8) {
		t.Errorf("%d merged and %d waiting: merges did not happen", len(pc.keys), len(pc.fresh))
	}
	seen := 0
	pc.each(func(k uint64, n uint32) {
		seen++
		if want[k] != n {
			t.Errorf("each: %x = %d, want %d", k, n, want[k])
		}
	})
	if seen != len(want) {
		t.Errorf("each visited %d pairs, want %d", seen, len(want))
	}
	for i := 1; i < len(pc.keys); i++ {
		if pc.keys[i-1] >= pc.keys[i] {
			t.Fatalf("keys not strictly sorted at %d", i)
		}
	}
	// A table rebuilt from its snapshot form answers alike.
	var ps []count64
	pc.each(func(k uint64, n uint32) { ps = append(ps, count64{k, n}) })
	var back pairCounts
	back.set(ps)
	for k, n := range want {
		if got := back.get(k); got != n {
			t.Fatalf("restored get(%x) = %d, want %d", k, got, n)
		}
	}
}

// TestCompact: a compacted model holds every pair merged and answers as
// before, and keeps learning.
func TestCompact(t *testing.T) {
	m := New(Config{OrgDomains: []string{"corp.example"}})
	rcpts := []string{"b@corp.example", "x@partner.example", "y@partner.example", "z@other.example"}
	for i := range 40 {
		m.Learn(msg(fmt.Sprint(i), t0.Add(time.Duration(i)*time.Hour), "a@corp.example", rcpts[i%3], rcpts[i%3+1]))
	}
	type q struct{ s, a, b string }
	qs := []q{{"a@corp.example", "b@corp.example", "x@partner.example"}, {"a@corp.example", "y@partner.example", "z@other.example"},
		{"b@corp.example", "a@corp.example", "x@partner.example"}, {"a@corp.example", "b@corp.example", "z@other.example"}}
	before := map[q]int{}
	for _, x := range qs {
		before[x] = m.Together(x.s, x.a, x.b)
	}
	m.Compact()
	for _, p := range m.people {
		if len(p.pairs.fresh) != 0 {
			t.Fatalf("%d pairs still waiting after Compact", len(p.pairs.fresh))
		}
	}
	for _, x := range qs {
		if got := m.Together(x.s, x.a, x.b); got != before[x] {
			t.Errorf("Together%v = %d after Compact, want %d", x, got, before[x])
		}
	}
	m.Learn(msg("more", t0.Add(100*time.Hour), "a@corp.example", "y@partner.example", "z@other.example"))
	if got := m.Together("a@corp.example", "y@partner.example", "z@other.example"); got != before[qs[1]]+1 {
		t.Errorf("after learning one more: %d, want %d", got, before[qs[1]]+1)
	}
}
