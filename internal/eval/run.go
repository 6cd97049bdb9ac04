package eval

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/mail"
)

// Scorer scores a message as if sent at now, without learning from it, and
// returns the feature vector the score came from (for fitting weights).
type Scorer interface {
	Score(msg *mail.Message, now time.Time) (float64, detect.Features)
}

// Learner learns one message of history.
type Learner interface {
	Learn(msg *mail.Message) bool
}

// Mode is how a wrong address enters a message.
type Mode string

const (
	Replace Mode = "replace" // the wrong address instead of the intended one
	Add     Mode = "add"     // the wrong address besides the intended ones
)

// Config tunes Run.
type Config struct {
	OrgDomains []string
	Strategies []Strategy // nil means all
	Modes      []Mode     // nil means Replace and Add
	Seed       uint64
	// Frozen keeps the model at what history taught it. By default each
	// clean test message is learned after it was scored, as in production.
	Frozen  bool
	MaxTest int // stop after this many test messages; 0 means no limit
	// Weights names the weights the Scorer uses, for the report: "default"
	// (the built-in ones, also when empty), "stored" or "file".
	Weights string
}

// Sample is one scored message: a clean test message or an injected copy.
type Sample struct {
	Test     int    // index of the test message it came from
	Strategy string // "" for clean
	Mode     Mode   // "" for clean
	Score    float64
	Features detect.Features
	Intended string // the recipient the wrong address stands for; "" for clean
	Wrong    string // the injected address; "" for clean
	// KnownWrong tells that the sender had mailed the wrong address before:
	// a slip between two real contacts, which only context can reveal.
	KnownWrong bool
	// NewIntended tells that the sender had never mailed the intended
	// recipient's domain: history then holds nothing the wrong address could
	// be told apart from (a typo of a domain never mailed looks like any
	// new domain).
	NewIntended bool
	// StrangerIntended tells that the sender had never mailed the intended
	// recipient: the wrong address then replaces one new contact with
	// another, which history cannot tell apart.
	StrangerIntended bool
	// InsideIntended tells that the intended recipient is inside the
	// organisation: a slip between colleagues.
	InsideIntended bool
}

// Injected reports whether the sample carries a wrong recipient.
func (s Sample) Injected() bool { return s.Strategy != "" }

// Run is what a run produced.
type Run struct {
	OrgDomains []string
	Weights    string         // Config.Weights
	History    int            // messages learned as history
	Test       int            // test messages scored
	Skipped    map[string]int // strategy → test messages it had no candidate for
	NotTest    int            // test-period messages not scored (outsider sender, no recipient, no date)
	Samples    []Sample
	Examples   map[string][]Example // a few injections per strategy, for reading
}

// Example shows one injection.
type Example struct {
	From, Intended, Wrong string
	Mode                  Mode
	Score                 float64
}

const examplesPerStrategy = 3

// Replay learns history, then scores each test message clean and with each
// strategy's wrong address in each mode. Both slices are taken in date order
// (see Split and SortByDate).
func Replay(ctx context.Context, cfg Config, history, test []*mail.Message, sc Scorer, ln Learner) (*Run, error) {
	strategies := cfg.Strategies
	if strategies == nil {
		strategies = Strategies()
	}
	modes := cfg.Modes
	if modes == nil {
		modes = []Mode{Replace, Add}
	}
	org := orgDomains(cfg.OrgDomains)
	x := newIndex(org)
	weights := cfg.Weights
	if weights == "" {
		weights = "default"
	}
	run := &Run{OrgDomains: cfg.OrgDomains, Weights: weights, Skipped: map[string]int{}, Examples: map[string][]Example{}}
	for i, m := range history {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("learn history: %w", ctx.Err())
		}
		ln.Learn(m)
		x.add(m)
		run.History++
	}
	for _, m := range test {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("replay test messages: %w", ctx.Err())
		}
		if cfg.MaxTest > 0 && run.Test >= cfg.MaxTest {
			break
		}
		if !org.isTestMessage(m) {
			run.NotTest++
		} else {
			run.score(cfg.Seed, x, m, strategies, modes, sc)
		}
		if !cfg.Frozen {
			ln.Learn(m)
			x.add(m)
		}
	}
	return run, nil
}

func (run *Run) score(seed uint64, x *index, m *mail.Message, strategies []Strategy, modes []Mode, sc Scorer) {
	ti := run.Test
	run.Test++
	s, f := sc.Score(m, m.Date)
	run.Samples = append(run.Samples, Sample{Test: ti, Score: s, Features: f})
	for _, st := range strategies {
		// One stream per message and strategy: adding a strategy or a
		// message elsewhere does not change what this one picks.
		r := rand.New(rand.NewPCG(seed^uint64(ti), nameHash(st.Name())))
		intended, wrong, ok := st.wrong(x, m, r)
		if !ok {
			run.Skipped[st.Name()]++
			continue
		}
		for _, mode := range modes {
			inj := inject(m, intended, wrong, mode)
			s, f := sc.Score(inj, m.Date)
			run.Samples = append(run.Samples, Sample{Test: ti, Strategy: st.Name(), Mode: mode, Score: s, Features: f,
				Intended: m.Recipients()[intended].Addr, Wrong: wrong.Addr, KnownWrong: x.sentTo(m.From.Addr, wrong.Addr),
				NewIntended:      !x.mailedDomain(m.From.Addr, domainOf(m.Recipients()[intended].Addr)),
				StrangerIntended: !x.sentTo(m.From.Addr, m.Recipients()[intended].Addr),
				InsideIntended:   x.org.has(m.Recipients()[intended].Addr)})
			if ex := run.Examples[st.Name()]; len(ex) < examplesPerStrategy*len(modes) {
				run.Examples[st.Name()] = append(ex, Example{From: m.From.Addr,
					Intended: m.Recipients()[intended].Addr, Wrong: wrong.Addr, Mode: mode, Score: s})
			}
		}
	}
}

func nameHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// inject returns a copy of m with wrong in place of, or added next to, the
// recipient at index intended of m.Recipients(), in the same header field.
func inject(m *mail.Message, intended int, wrong mail.Address, mode Mode) *mail.Message {
	c := *m
	c.To, c.Cc, c.Bcc = slices.Clone(m.To), slices.Clone(m.Cc), slices.Clone(m.Bcc)
	target := m.Recipients()[intended].Addr
	for _, field := range []*[]mail.Address{&c.To, &c.Cc, &c.Bcc} {
		for i, a := range *field {
			if a.Addr != target {
				continue
			}
			if mode == Replace {
				(*field)[i] = wrong
			} else {
				*field = slices.Insert(*field, i+1, wrong)
			}
			return &c
		}
	}
	return &c
}
