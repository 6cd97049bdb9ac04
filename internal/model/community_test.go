package model

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"
)

// circles learns two desks that mail within themselves every day and, once,
// each other: sales with partner-a, legal with a law firm.
func circles(order []int) *Model {
	m := New(Config{OrgDomains: []string{"corp.example"}})
	desks := [][]string{
		{"s1@corp.example", "s2@corp.example", "s3@corp.example", "buyer@partner-a.example"},
		{"l1@corp.example", "l2@corp.example", "counsel@law.example"},
	}
	n := 0
	for _, d := range order {
		desk := desks[d]
		for day := range 30 {
			for i, from := range desk {
				if !m.IsInternal(from) {
					continue
				}
				to := desk[(i+1+day)%len(desk)]
				if to == from {
					to = desk[(i+2+day)%len(desk)]
				}
				m.Learn(msg(fmt.Sprint("d", d, "-", day, "-", i), t0.Add(time.Duration(n)*time.Hour), from, to))
				n++
			}
		}
	}
	m.Learn(msg("bridge", t0.Add(time.Duration(n)*time.Hour), "s1@corp.example", "l1@corp.example"))
	m.FindCommunities()
	return m
}

// sameCircle reports whether a and b fall in one circle; known is false
// when either has none yet.
func sameCircle(m *Model, a, b string) (same, known bool) {
	ca, oka := m.Circle(a)
	cb, okb := m.Circle(b)
	return oka && okb && ca == cb, oka && okb
}

func TestCommunities(t *testing.T) {
	m := circles([]int{0, 1})
	tests := []struct {
		a, b        string
		same, known bool
	}{
		{"s1@corp.example", "s3@corp.example", true, true},
		{"s2@corp.example", "buyer@partner-a.example", true, true},
		{"l2@corp.example", "counsel@law.example", true, true},
		{"s1@corp.example", "l1@corp.example", false, true}, // one message across does not make one circle
		{"buyer@partner-a.example", "counsel@law.example", false, true},
		{"s1@corp.example", "nobody@corp.example", false, false},
	}
	for _, tt := range tests {
		if same, known := sameCircle(m, tt.a, tt.b); same != tt.same || known != tt.known {
			t.Errorf("sameCircle(%s, %s) = %v, %v; want %v, %v", tt.a, tt.b, same, known, tt.same, tt.known)
		}
	}
	// An address learned after the search has no circle yet.
	m.Learn(msg("late", t0, "s1@corp.example", "new@partner-a.example"))
	if _, known := sameCircle(m, "s1@corp.example", "new@partner-a.example"); known {
		t.Error("an address newer than the search has a circle")
	}
}

// The circles do not depend on the order mail was learned in, and a loaded
// model finds the ones the saved model had.
func TestCommunitiesStable(t *testing.T) {
	a, b := circles([]int{0, 1}), circles([]int{1, 0})
	same := func(x, y *Model) bool {
		for _, p := range [][2]string{{"s1@corp.example", "s2@corp.example"}, {"s1@corp.example", "l1@corp.example"}, {"l1@corp.example", "counsel@law.example"}} {
			s1, _ := sameCircle(x, p[0], p[1])
			s2, _ := sameCircle(y, p[0], p[1])
			if s1 != s2 {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("learning the desks in another order found other circles")
	}
	var buf bytes.Buffer
	if err := a.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	l, err := Decode(&buf, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.comm, l.comm) {
		t.Error("the loaded model found other circles than the saved one had")
	}
}

// Learning finds the circles again as the history grows, by a fifth and a
// thousand messages at least.
func TestCommunitiesFollowLearning(t *testing.T) {
	m := New(Config{OrgDomains: []string{"corp.example"}})
	for i := range communityMin - 1 {
		m.Learn(msg(fmt.Sprint(i), t0.Add(time.Duration(i)*time.Minute), "a@corp.example", "b@corp.example"))
	}
	if _, known := sameCircle(m, "a@corp.example", "b@corp.example"); known {
		t.Fatal("circles found before a thousand messages")
	}
	m.Learn(msg("last", t0, "a@corp.example", "b@corp.example"))
	if same, known := sameCircle(m, "a@corp.example", "b@corp.example"); !same || !known {
		t.Errorf("after a thousand messages: same %v, known %v", same, known)
	}
}
