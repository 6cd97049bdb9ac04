package eval

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/version"
)

// Calibration fits the score's weights on an organisation's own history,
// as misend import does after learning it, so that a new installation
// flags about as little of its honest mail as the fit allows from the first
// day, without a separate step. It is eval's protocol on history alone: a
// fresh model learns the history before the fit window, then each
// insider's message of the window is scored as it was sent and with each
// strategy's wrong address, and learned; the weights are fitted on those
// samples.
//
// Messages may come in any order (an import walks files, not dates): those
// before the window are learned as they come, the window's are kept and
// replayed in date order by Fit. The window is bounded (FitCut), and of
// the mail in it only insiders' messages keep their text. Copies of one
// message (the sender's and each recipient's) are told apart as they come,
// as Dedupe tells them, so that only the one kept waits for the replay.
type Calibration struct {
	s       *Session
	cut     time.Time
	horizon time.Time // dates after it are bogus (Enron's reach 2044): learned, neither scored nor ending the window
	window  copies    // one copy of each window message, for the replay
}

// Horizon is how far past now a message's date may lie and still be taken
// for when it was sent: clocks are off by hours, not years.
const Horizon = 48 * time.Hour

// DefaultFitShare and DefaultFitMessages bound the fit window misend import
// uses: the last quarter of the insiders' sent mail, at most this many
// messages, which keeps the extra pass to seconds on a year of a
// thousand people.
const (
	DefaultFitShare    = 0.25
	DefaultFitMessages = 6000
)

// FitCut returns the start of the fit window for a history whose insiders'
// sent messages carry the dates sent: the last share of them, and at most
// most messages. Zero when there are too few to fit on.
func FitCut(sent []time.Time, share float64, most int) time.Time {
	if len(sent) < 2*MinFitMessages {
		return time.Time{}
	}
	return windowStart(sent, share, most)
}

// windowStart returns the date from which the last share (0..1) of dates
// lie, at most most of them; zero for no dates or no share.
func windowStart(dates []time.Time, share float64, most int) time.Time {
	if share <= 0 || len(dates) == 0 {
		return time.Time{}
	}
	dates = slices.Clone(dates)
	slices.SortFunc(dates, time.Time.Compare)
	n := min(int(float64(len(dates))*min(share, 1)), most)
	return dates[len(dates)-max(n, 1)]
}

// NewCalibration starts a calibration whose fit window begins at cut; sc
// must score with ln's model, which must start empty.
func NewCalibration(cfg Config, cut time.Time, sc Scorer, ln Learner) *Calibration {
	cfg.FitFrom = cut
	cfg.Frozen = false
	return &Calibration{s: NewSession(cfg, sc, ln), cut: cut, horizon: time.Now().Add(Horizon)}
}

// Add takes one message of the history, in any order.
func (c *Calibration) Add(m *mail.Message) {
	if m.Date.After(c.horizon) {
		c.s.learn(m)
		return
	}
	if m.Date.IsZero() || m.Date.Before(c.cut) {
		c.s.History(m)
		return
	}
	if !c.s.x.org.isTestMessage(m) {
		// Only learned: what it says is no use to the fit.
		light := *m
		light.Text, light.Attachments = "", nil
		m = &light
	}
	c.window.add(m)
}

// FitHistory fits weights on the history walk yields (in any order, as
// often as FitHistory calls it), whose insiders' sent mail carries the
// dates sent: the calibration misend import runs after learning. The
// model the fit replays into is a new one of mcfg, dropped afterwards.
func FitHistory(ctx context.Context, mcfg model.Config, sent []time.Time, walk func(func(*mail.Message)) error) (*Fitted, error) {
	cut := FitCut(sent, DefaultFitShare, DefaultFitMessages)
	if cut.IsZero() {
		return nil, fmt.Errorf("calibrate: too little mail sent by insiders to fit on (%d messages)", len(sent))
	}
	m := model.New(mcfg)
	c := NewCalibration(Config{OrgDomains: m.OrgDomains(), Seed: 1}, cut, DetectorScorer{D: &detect.Detector{Model: m}}, m)
	if err := walk(c.Add); err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	return c.Fit(ctx)
}

// Copies is how many messages of the window were left out of the replay
// as copies of another (the same mail in the sender's and the recipients'
// folders).
func (c *Calibration) Copies() int { return c.window.n }

// Fitted is what a calibration produced.
type Fitted struct {
	Weights  *detect.Weights
	Messages int // clean messages fitted on
	// Warned is the share of those honest messages the fitted weights
	// score at the warn band (0.5) or above.
	Warned float64
	// Samples are what the weights were fitted on, clean and with a
	// wrong recipient put in: refitting while serving starts from them.
	Samples []Sample
	// From and Until bound the window the samples come from.
	From, Until time.Time
}

// Fit replays the window and fits weights on it. It is called once: what
// it no longer needs it lets go as it goes, each message of the window
// once learned (the model keeps copies of what it keeps), then the
// replay's session (its index of addresses, the scorer's caches) before
// the weights are fitted.
func (c *Calibration) Fit(ctx context.Context) (*Fitted, error) {
	window, s := c.window.msgs, c.s
	c.window.msgs, c.window.at, c.s = nil, nil, nil
	SortByDate(window)
	for i, m := range window {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("calibrate: %w", ctx.Err())
		}
		s.History(m)
		window[i] = nil
	}
	run := s.Run()
	fit := FitSamples(run)
	run.Fit = nil // fit holds them
	n := countMessages(fit)
	if n < MinFitMessages {
		return nil, fmt.Errorf("calibrate: only %d messages sent by insiders in the fit window (at least %d needed)", n, MinFitMessages)
	}
	w, err := FitWeights(fit)
	if err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	fi := w.Fit
	fi.From, fi.Until, fi.Messages, fi.At, fi.Build = c.cut, run.FitUntil, n, time.Now().UTC(), version.Read().Build()
	warned := 0
	for _, s := range fit {
		if !s.Injected() && w.Score(s.Features) >= WarnScore {
			warned++
		}
	}
	return &Fitted{Weights: w, Messages: n, Warned: float64(warned) / float64(n), Samples: fit, From: c.cut, Until: run.FitUntil}, nil
}
