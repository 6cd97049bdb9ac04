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
	// FitFrom starts the fit window: history messages dated at or after it
	// are scored (clean and injected) before they are learned, and the
	// weights are fitted on those samples only, so the figures on test
	// mail come from weights that never saw it, as in an installation that
	// fitted on its history. Zero means no fit window.
	FitFrom time.Time
	// Weights names the weights the Scorer uses, for the report: "default"
	// (the built-in ones, also when empty), "stored" or "file".
	Weights string
}

// Sample is one scored message: a clean test message or an injected copy.
type Sample struct {
	Test     int    // index of the test (or, in Run.Fit, fit-window) message it came from
	Thread   uint64 // the conversation it belongs to (see threadKey); 0 when unknown
	Strategy string // "" for clean
	Mode     Mode   // "" for clean
	// MessageID and From name the message scored, on its clean sample
	// only: the injected ones share its Test number.
	MessageID, From string
	Score           float64
	Features        detect.Features
	Intended        string // the recipient the wrong address stands for; "" for clean
	Wrong           string // the injected address; "" for clean
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
	Samples    []Sample       // test messages, clean and injected
	// Fit holds the samples of the fit window (Config.FitFrom): history
	// scored before it was learned, for fitting weights and nothing else.
	Fit       []Sample
	FitFrom   time.Time            // Config.FitFrom
	FitUntil  time.Time            // the date of the last history message
	TestFrom  time.Time            // the date of the first test message scored
	TestUntil time.Time            // the date of the last test message scored
	Examples  map[string][]Example // a few injections per strategy, for reading
}

// Example shows one injection.
type Example struct {
	From, Intended, Wrong string
	Mode                  Mode
	Score                 float64
}

const examplesPerStrategy = 3

// A Session replays mail in date order: history is learned, test mail
// scored clean and with each strategy's wrong address, then learned unless
// the session is frozen. Replay drives one over two slices; misend import
// drives one over a stream, to fit weights on the organisation's own mail.
type Session struct {
	cfg        Config
	strategies []Strategy
	modes      []Mode
	x          *index
	sc         Scorer
	ln         Learner
	run        *Run
	fitN       int // fit-window messages scored
}

// NewSession starts a replay with nothing learned.
func NewSession(cfg Config, sc Scorer, ln Learner) *Session {
	s := &Session{cfg: cfg, strategies: cfg.Strategies, modes: cfg.Modes, x: newIndex(orgDomains(cfg.OrgDomains)), sc: sc, ln: ln}
	if s.strategies == nil {
		s.strategies = Strategies()
	}
	if s.modes == nil {
		s.modes = []Mode{Replace, Add}
	}
	weights := cfg.Weights
	if weights == "" {
		weights = "default"
	}
	s.run = &Run{OrgDomains: cfg.OrgDomains, Weights: weights, Skipped: map[string]int{}, Examples: map[string][]Example{},
		FitFrom: cfg.FitFrom}
	return s
}

// History learns m as history. A message of the fit window (dated at or
// after Config.FitFrom) sent by an insider is scored first, for fitting.
func (s *Session) History(m *mail.Message) {
	if !s.cfg.FitFrom.IsZero() && !m.Date.Before(s.cfg.FitFrom) && s.x.org.isTestMessage(m) {
		s.run.Fit = s.score(s.run.Fit, s.fitN, m, false)
		s.fitN++
	}
	s.learn(m)
	if m.Date.After(s.run.FitUntil) {
		s.run.FitUntil = m.Date
	}
}

// learn learns m as history, unscored, its date bounding nothing: what
// History does besides, and all a message whose date cannot be true gets.
func (s *Session) learn(m *mail.Message) {
	s.ln.Learn(m)
	s.x.add(m)
	s.run.History++
}

// Test scores m, if it is mail misend would check, then learns it unless
// the session is frozen. It reports false once Config.MaxTest messages
// were scored.
func (s *Session) Test(m *mail.Message) bool {
	if s.cfg.MaxTest > 0 && s.run.Test >= s.cfg.MaxTest {
		return false
	}
	if !s.x.org.isTestMessage(m) {
		s.run.NotTest++
	} else {
		if s.run.TestFrom.IsZero() || m.Date.Before(s.run.TestFrom) {
			s.run.TestFrom = m.Date
		}
		if m.Date.After(s.run.TestUntil) {
			s.run.TestUntil = m.Date
		}
		s.run.Samples = s.score(s.run.Samples, s.run.Test, m, true)
		s.run.Test++
	}
	if !s.cfg.Frozen {
		s.ln.Learn(m)
		s.x.add(m)
	}
	return true
}

// Run returns what the session scored so far.
func (s *Session) Run() *Run { return s.run }

// Replay learns history, then scores each test message clean and with each
// strategy's wrong address in each mode. Both slices are taken in date order
// (see Split and SortByDate).
func Replay(ctx context.Context, cfg Config, history, test []*mail.Message, sc Scorer, ln Learner) (*Run, error) {
	s := NewSession(cfg, sc, ln)
	for i, m := range history {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("learn history: %w", ctx.Err())
		}
		s.History(m)
	}
	for i, m := range test {
		if i%64 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("replay test messages: %w", ctx.Err())
		}
		if !s.Test(m) {
			break
		}
	}
	return s.Run(), nil
}

// score appends the samples of message number ti: m as it is and with each
// strategy's wrong address in each mode. Of test messages (not the fit
// window's), skipped strategies are counted and a few examples kept.
func (s *Session) score(out []Sample, ti int, m *mail.Message, test bool) []Sample {
	x := s.x
	thread := threadKey(m)
	v, f := s.sc.Score(m, m.Date)
	out = append(out, Sample{Test: ti, Thread: thread, MessageID: m.MessageID, From: m.From.Addr, Score: v, Features: f})
	for _, st := range s.strategies {
		// One stream per message and strategy: adding a strategy or a
		// message elsewhere does not change what this one picks. Fit and
		// test messages draw from different streams.
		seed := s.cfg.Seed ^ uint64(ti)
		if !test {
			seed = ^seed
		}
		r := rand.New(rand.NewPCG(seed, nameHash(st.Name())))
		intended, wrong, ok := st.wrong(x, m, r)
		if !ok {
			if test {
				s.run.Skipped[st.Name()]++
			}
			continue
		}
		in := m.Recipients()[intended].Addr
		for _, mode := range s.modes {
			inj := inject(m, intended, wrong, mode)
			v, f := s.sc.Score(inj, m.Date)
			out = append(out, Sample{Test: ti, Thread: thread, Strategy: st.Name(), Mode: mode, Score: v, Features: f,
				Intended: in, Wrong: wrong.Addr, KnownWrong: x.sentTo(m.From.Addr, wrong.Addr),
				NewIntended:      !x.mailedDomain(m.From.Addr, domainOf(in)),
				StrangerIntended: !x.sentTo(m.From.Addr, in),
				InsideIntended:   x.org.has(in)})
			if ex := s.run.Examples[st.Name()]; test && len(ex) < examplesPerStrategy*len(s.modes) {
				s.run.Examples[st.Name()] = append(ex, Example{From: m.From.Addr, Intended: in, Wrong: wrong.Addr, Mode: mode, Score: v})
			}
		}
	}
	return out
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
