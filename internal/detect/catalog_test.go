package detect_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/eval"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/synth"
)

// recorder scores like eval.DetectorScorer and keeps every finding.
type recorder struct {
	d  *detect.Detector
	mu sync.Mutex
	fs []finding.Finding
}

func (r *recorder) Score(msg *mail.Message, now time.Time) (float64, detect.Features) {
	res := r.d.Check(msg, now)
	r.mu.Lock()
	r.fs = append(r.fs, res.Findings...)
	r.mu.Unlock()
	return res.Score, res.Features
}

// TestFindingsCarryKeys replays a generated organisation with every
// injected mistake and checks that each finding the detectors write carries
// a catalogue key whose English is the message, and whose Japanese exists
// and differs: a sentence composed outside the catalogue would reach
// Japanese readers in English.
func TestFindingsCarryKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("generates, parses and replays a synthetic organisation")
	}
	opt := synth.DefaultOptions()
	opt.People, opt.Days = 150, 60
	org, err := synth.New(5, opt)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []*mail.Message
	if err := org.Messages(func(m *synth.Mail) error {
		msg, err := mail.Parse(bytes.NewReader(m.Bytes(synth.Sent)), mail.Limits{})
		msgs = append(msgs, msg)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var csv bytes.Buffer
	if err := org.WriteDirectoryCSV(&csv); err != nil {
		t.Fatal(err)
	}
	people, err := directory.ParseCSV(&csv)
	if err != nil {
		t.Fatal(err)
	}
	dir := directory.New(people, nil)
	m := model.New(model.Config{OrgDomains: []string{opt.Domain}, Department: dir.DepartmentOf})
	rec := &recorder{d: &detect.Detector{Model: m}}
	history, test := eval.Split(eval.Dedupe(msgs), 0.8)
	if _, err := eval.Replay(context.Background(), eval.Config{OrgDomains: []string{opt.Domain}}, history, test, rec, m); err != nil {
		t.Fatal(err)
	}
	seen := map[finding.Code]int{}
	keys := map[string]bool{}
	for _, f := range rec.fs {
		seen[f.Code]++
		keys[f.Key] = true
		checkKeyed(t, f)
	}
	t.Logf("%d findings, codes %v, %d keys", len(rec.fs), seen, len(keys))
	// The replay must reach the detectors whose sentences are composed,
	// or the test proves little.
	for _, c := range []finding.Code{finding.NewRecipient, finding.NewDomain, finding.SimilarContact, finding.LookalikeDomain} {
		if seen[c] == 0 {
			t.Errorf("replay produced no %s finding", c)
		}
	}
}

func checkKeyed(t *testing.T, f finding.Finding) {
	t.Helper()
	if f.Key == "" {
		t.Errorf("%s finding without a key: %q", f.Code, f.Message)
		return
	}
	if en, ok := finding.Text("en", f.Key, f.Args); !ok || en != f.Message {
		t.Errorf("%s: key %s renders %q, message is %q", f.Code, f.Key, en, f.Message)
	}
	ja := finding.Localize(f, "ja")
	if ja.Message == f.Message || (f.SuggestionKey != "" && ja.Suggestion == f.Suggestion) {
		t.Errorf("%s: no Japanese for %q (%s %v)", f.Code, f.Message, f.Key, f.Args)
	}
}
