package check

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/policy"
)

// People answers the decision path from the directory: aliases resolve to
// the person's main address.
func TestPeople(t *testing.T) {
	dir := directory.New([]directory.Person{
		{Address: "sato@corp.example", Department: "営業部", Aliases: []string{"s.sato@corp.example"}},
	}, []string{"corp.example"})
	p := People{Fixed{dir}}
	for _, tt := range []struct {
		addr, person string
		ok, internal bool
	}{
		{"sato@corp.example", "sato@corp.example", true, true},
		{"S.Sato@corp.example", "sato@corp.example", true, true},
		{"nobody@corp.example", "", false, true},
		{"ceo@evil.example", "", false, false},
	} {
		person, ok := p.PersonOf(tt.addr)
		if person != tt.person || ok != tt.ok || p.IsInternal(tt.addr) != tt.internal {
			t.Errorf("%s: %q %v internal %v", tt.addr, person, ok, p.IsInternal(tt.addr))
		}
	}
	if d := p.DepartmentOf("s.sato@corp.example"); d != "営業部" {
		t.Errorf("department of an alias: %q", d)
	}
}

// A decision whose deadline passes once detection has begun gets the
// fail-safe from the detector itself, which gives up rather than checking
// a pathological message to the end.
func TestDetectorStopsAtDeadline(t *testing.T) {
	pol, err := policy.New(policy.Config{Default: policy.Rules{FailSafe: policy.Hold}})
	if err != nil {
		t.Fatal(err)
	}
	var raw strings.Builder
	raw.WriteString("From: taro@corp.example\r\nTo: ")
	for i := range 500 {
		if i > 0 {
			raw.WriteString(",\r\n ")
		}
		fmt.Fprintf(&raw, "Tanaka %d <tanaka%d@new%d-shoji.example>", i, i, i)
	}
	raw.WriteString("\r\nSubject: x\r\n\r\n" + strings.Repeat("田中様、鈴木様、佐藤様、\r\n", 20000))
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}})
	for _, tt := range []struct {
		name   string
		cancel bool
	}{
		{"in time", false},
		{"past the deadline", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p := Path(&detect.Detector{Model: m}, pol, nil)
			p.Timeout = time.Minute
			// The clock is read just before detection: the deadline passes there.
			p.Now = func() time.Time {
				if tt.cancel {
					cancel()
				}
				return time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
			}
			res := p.Decide(ctx, decide.Envelope{From: "taro@corp.example"}, []byte(raw.String()))
			if failSafe := res.Decision.Rule == "fail-safe"; failSafe != tt.cancel || (res.Err != nil) != tt.cancel {
				t.Fatalf("decision %+v, err %v; want the fail-safe: %v", res.Decision, res.Err, tt.cancel)
			}
			if tt.cancel && (!errors.Is(res.Err, context.Canceled) || !strings.Contains(res.Err.Error(), "detect: gave up")) {
				t.Errorf("err %v, want the detector's own giving up", res.Err)
			}
		})
	}
}
