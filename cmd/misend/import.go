package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/eval"
	"github.com/misend/misend/internal/ingest"
	"github.com/misend/misend/internal/journal"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/memlimit"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/refit"
	"github.com/misend/misend/internal/store"
)

// importShareBatch is how many imported messages go to the journal at
// once, on a database replicas share.
const importShareBatch = 10_000

type importCmd struct {
	Paths      []string `arg:"" type:"path" help:"mbox files, Maildir trees, .eml files or directories, Exchange message-trace CSV."`
	IndexTerms bool     `help:"Also keep each message's nouns (never its text) for misend terms recommend; slower."`
	Before     string   `help:"Learn only mail dated before this day (YYYY-MM-DD, UTC): history up to going live, or a replay's history." name:"before"`
	NoFit      bool     `help:"Do not fit the score's weights on this history after learning it (by default import does, and check and serve use them)." name:"no-fit"`

	before time.Time
}

// Run learns every message under the paths and saves the model. Messages
// learned before (by Message-ID) are counted as duplicates and change
// nothing, so importing the same history twice reports "0 new".
func (c *importCmd) Run(g *Globals) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	lim := memlimit.Start(importHeapFloor)
	lim.Relax(importGCPercent)
	defer lim.Stop()
	db, err := store.Open(ctx, g.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	cfg, err := modelConfig(ctx, db, g)
	if err != nil {
		return err
	}
	m, err := model.Load(ctx, db, cfg)
	if err != nil {
		return err
	}
	idx, err := openTermIndex(ctx, db, c.IndexTerms)
	if err != nil {
		return err
	}
	// On a database serve replicas share, what is imported goes through
	// the journal too: otherwise the next replica to save its model would
	// save over the imported history.
	var share *journal.Sharer
	var shareCfg *bool // [model] share
	if g.Config != "" {
		cfg, err := config.Load(g.Config)
		if err != nil {
			return err
		}
		shareCfg = cfg.Model.Share
	}
	if sharesLearning(db, shareCfg) {
		if share, _, err = modelSharer(ctx, db, m); err != nil {
			return err
		}
	}
	var before time.Time
	if c.Before != "" {
		if before, err = time.Parse(time.DateOnly, c.Before); err != nil {
			return fmt.Errorf("import: --before %q: want YYYY-MM-DD", c.Before)
		}
	}
	c.before = before
	start := time.Now()
	l := &importLearner{ctx: ctx, m: m, share: share}
	// A first import learns the history and fits the weights on it in one
	// model: the dates say where the fit window starts, then the history
	// before it is learned as it comes and the window is replayed in date
	// order, each message scored before it is learned. One model in
	// memory, where fitting after the import would need a second.
	var cal *eval.Calibration
	fitNow := !c.NoFit && m.Stats().Learned == 0
	if fitNow {
		cut, err := c.fitCut(ctx, m)
		if err != nil {
			return err
		}
		if !cut.IsZero() {
			cal = eval.NewCalibration(eval.Config{OrgDomains: m.OrgDomains(), Seed: 1}, cut,
				eval.DetectorScorer{D: &detect.Detector{Model: m}}, l)
		}
	}
	// Added to a model that had learned before, the fit replays the
	// history in a model of its own after this walk (c.fit), from the
	// dates of the insiders' mail: read here rather than in a walk of
	// their own. They are held beside the learned model, 24 octets a
	// message, less than the fit holds after it (a second model of the
	// whole history and the window's messages), so the import's peak does
	// not rise. The fit's own replay stays a walk apart: merged into this
	// one, both models would be in memory at once.
	var dates *insiderDates
	fitCfg := cfg
	if !c.NoFit && !fitNow {
		// The organisation's domains the learned model has, stored ones
		// included: without --org-domain, cfg has none but the directory's,
		// and a fit that knows no insider finds nothing to fit on.
		fitCfg.OrgDomains = m.OrgDomains()
		dates = newInsiderDates(model.New(fitCfg))
	}
	later := 0
	sum, walkErr := walkMail(ctx, c.Paths, ingest.Options{Progress: os.Stderr, Limits: mail.HistoryLimits}, func(src string, msg *mail.Message) error {
		if c.late(msg) {
			later++
			return nil
		}
		dates.add(msg)
		idx.add(msg)
		if cal != nil {
			cal.Add(msg)
		} else {
			l.Learn(msg)
		}
		return l.err
	})
	var fitted *eval.Fitted
	var fitErr error
	fitStart := time.Now()
	if cal != nil && walkErr == nil {
		// The model and the window are what the fit keeps live: the limit
		// is set on what they take once compacted and collected.
		m.Compact()
		runtime.GC()
		lim.Fit()
		fitted, fitErr = cal.Fit(ctx)
		if walkErr = l.err; walkErr == nil && ctx.Err() != nil {
			walkErr = ctx.Err()
		}
	}
	learned, dups := l.learned, l.dups
	if cal != nil {
		dups += cal.Copies()
	}
	idxErr := idx.close()
	// Save what was learned even when the walk stopped early: the model is
	// idempotent, so the next run picks up the rest without double counts.
	stored, err := model.StoredOrgDomains(ctx, db)
	if err != nil {
		return err
	}
	now := slices.Sorted(slices.Values(m.OrgDomains()))
	if learned > 0 || !slices.Equal(now, stored) {
		save := func(ctx context.Context) error { return m.Save(ctx, db) }
		if share != nil {
			err = share.Save(ctx, save)
		} else {
			err = save(ctx)
		}
		if err != nil {
			return err
		}
	}
	elapsed := fitStart.Sub(start) // reading and learning; the fit says its own time
	st := m.Stats()
	rate := float64(learned+dups) / max(elapsed.Seconds(), 1e-9)
	fmt.Printf("%d messages from %d files: %d new, %d duplicates, %d skipped\n", learned+dups, sum.Files, learned, dups, skipped(sum))
	if later > 0 {
		fmt.Printf("  left out %d dated %s or later (--before)\n", later, c.Before)
	}
	printSkips(os.Stdout, "  ", sum)
	fmt.Printf("model: %d messages, %d senders of the organisation, %d addresses and %d domains seen; organisation domains: %s\n",
		st.Learned, st.Sent, st.Addresses, st.Domains, orNone(m.OrgDomains()))
	fmt.Printf("%s, %.0f msgs/s\n", elapsed.Round(time.Millisecond), rate)
	if idxErr != nil {
		return idxErr
	}
	if walkErr != nil {
		return fmt.Errorf("import stopped after %d new messages: %w", learned, walkErr)
	}
	if learned+dups+later == 0 {
		return noMessages("import", c.Paths, sum)
	}
	switch {
	case c.NoFit || learned == 0:
		return nil
	case cal != nil:
		if fitErr != nil {
			fmt.Printf("weights: not fitted (%v); keeping the %s ones\n", fitErr, weightsInUse(ctx, db))
			return nil
		}
		return saveFitted(ctx, db, fitted, fitStart)
	case fitNow:
		fmt.Printf("weights: too little mail sent by insiders to fit on; keeping the %s ones\n", weightsInUse(ctx, db))
		return nil
	}
	// Added to a model that had learned before: the fit replays the
	// history in a model of its own, so that no message is scored by a
	// model that already knows it. Let the learned one go first, or both
	// would be in memory until the collector's next cycle.
	m = nil
	runtime.GC()
	debug.FreeOSMemory()
	return c.fit(ctx, db, fitCfg, dates.dates())
}

// importHeapFloor is the soft heap limit import keeps to (package
// memlimit), raised when the learned history needs more. The process
// holds about 26 MiB besides (the program's own pages, SQLite's), and the
// heap reaches the limit on a large history, so the limit is what the
// import's peak is made of. On the Enron mailboxes at most 125 MiB is
// live while learning and 106 MiB when the fit starts (150 MiB at its
// end): 232 MiB leaves the collector room enough not to slow the import
// (peak 265 MB resident; 250 MiB gave 283 MB).
const importHeapFloor = 232 << 20

// importGCPercent is the GOGC import runs with under its heap limit.
// Nearly all it allocates is a message's parse, dead once the message is
// learned: at the default 100 the collector ran 30 times while learning
// the Enron mailboxes, most of them while the model was small, for about
// a tenth of the import's time; at 400 it runs 12 times, and the peak is
// the limit's as before (about 265 MB resident).
const importGCPercent = 400

// fitCut reads the paths once for the dates of the insiders' mail and
// returns where the fit window starts; zero for too little mail. The
// walk that learns needs the window's start before it reads the first
// message, so this one comes first.
func (c *importCmd) fitCut(ctx context.Context, m *model.Model) (time.Time, error) {
	dates := newInsiderDates(m)
	// Dates and addresses are all this walk reads of a message: its
	// header. Mail the learning walk refuses for its MIME structure alone
	// gives its date here, too rare to move the window.
	_, err := walkMail(ctx, c.Paths, ingest.Options{Limits: mail.HistoryLimits, HeaderOnly: true}, func(_ string, msg *mail.Message) error {
		if !c.late(msg) {
			dates.add(msg)
		}
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("import: read dates: %w", err)
	}
	return eval.FitCut(dates.dates(), eval.DefaultFitShare, eval.DefaultFitMessages), nil
}

// insiderDates collects the dates of the messages insiders sent (as m
// tells insiders), once per message: mailboxes hold a copy in the
// sender's folder and one in each insider recipient's, and counting
// copies would shrink the fit window to a third of the messages it is
// meant to hold on an organisation that mostly mails itself. Dates in the
// future are left out: they are bogus (Enron's reach 2044) and would put
// the fit window after every real message. A nil *insiderDates collects
// nothing.
type insiderDates struct {
	m       *model.Model
	horizon time.Time
	sent    []datedKey // 16 octets a copy; copies go when dates is called
}

type datedKey struct {
	key  uint64 // model.MessageKey
	unix int64
}

func newInsiderDates(m *model.Model) *insiderDates {
	return &insiderDates{m: m, horizon: time.Now().Add(eval.Horizon)}
}

func (d *insiderDates) add(msg *mail.Message) {
	if d != nil && !msg.Date.IsZero() && msg.Date.Before(d.horizon) && d.m.IsInternal(msg.From.Addr) && hasRecipient(msg) {
		d.sent = append(d.sent, datedKey{model.MessageKey(msg), msg.Date.Unix()})
	}
}

// dates returns the date of each message collected, once.
func (d *insiderDates) dates() []time.Time {
	slices.SortFunc(d.sent, func(a, b datedKey) int { return cmp.Compare(a.key, b.key) })
	d.sent = slices.CompactFunc(d.sent, func(a, b datedKey) bool { return a.key == b.key })
	out := make([]time.Time, len(d.sent))
	for i, k := range d.sent {
		out[i] = time.Unix(k.unix, 0).UTC()
	}
	return out
}

// hasRecipient is len(msg.Recipients()) > 0, without making a list of
// every message's recipients only to count it.
func hasRecipient(msg *mail.Message) bool {
	named := func(a mail.Address) bool { return a.Addr != "" }
	return slices.ContainsFunc(msg.To, named) || slices.ContainsFunc(msg.Cc, named) || slices.ContainsFunc(msg.Bcc, named)
}

// importLearner learns messages for import: into the model, and through
// the journal on a database replicas share. It counts what it learned.
type importLearner struct {
	ctx           context.Context
	m             *model.Model
	share         *journal.Sharer
	learned, dups int
	err           error // the journal's, which stops the import
}

// Learn implements eval.Learner.
func (l *importLearner) Learn(msg *mail.Message) bool {
	o := l.m.Observe(msg)
	if !l.m.LearnObservation(&o) {
		l.dups++
		return false
	}
	l.learned++
	if l.share != nil && l.err == nil {
		l.share.Learned(o)
		if l.learned%importShareBatch == 0 {
			_, l.err = l.share.Sync(l.ctx)
		}
	}
	return true
}

// late reports whether msg is dated on or after --before.
func (c *importCmd) late(msg *mail.Message) bool {
	return !c.before.IsZero() && !msg.Date.Before(c.before)
}

// fit fits the score's weights on the imported history (eval.Calibration)
// and stores them, so that check and serve judge by this organisation's
// habits from the first message.
func (c *importCmd) fit(ctx context.Context, db *store.DB, cfg model.Config, sent []time.Time) error {
	start := time.Now()
	f, err := eval.FitHistory(ctx, cfg, sent, func(add func(*mail.Message)) error {
		_, err := walkMail(ctx, c.Paths, ingest.Options{Limits: mail.HistoryLimits}, func(_ string, msg *mail.Message) error {
			if !c.late(msg) {
				add(msg)
			}
			return nil
		})
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("import: fit weights: %w", ctx.Err())
		}
		fmt.Printf("weights: not fitted (%v); keeping the %s ones\n", err, weightsInUse(ctx, db))
		return nil
	}
	return saveFitted(ctx, db, f, start)
}

// saveFitted stores fitted weights for check and serve and says so.
func saveFitted(ctx context.Context, db *store.DB, f *eval.Fitted, start time.Time) error {
	if err := detect.SaveWeights(ctx, db, f.Weights); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	samples := make([]refit.Sample, len(f.Samples))
	for i, s := range f.Samples {
		samples[i] = refit.Sample{Features: s.Features, Mistake: s.Injected()}
	}
	if err := refit.SaveImport(ctx, db, refit.Window{From: f.From, Until: f.Until, Messages: f.Messages}, samples); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	fmt.Printf("weights: fitted on %d messages sent from %s to %s, scored before they were learned, with mistakes put in; "+
		"%s (%s)\n", f.Messages, f.Weights.Fit.From.Format(time.DateOnly), f.Weights.Fit.Until.Format(time.DateOnly),
		warnedSaying(f), time.Since(start).Round(100*time.Millisecond))
	return nil
}

// warnedSaying says how much honest mail the fitted weights warn on: of
// the latest fifth of the window, held out of a second fit, which is what
// later mail will see; of the whole window when there was too little to
// hold out.
func warnedSaying(f *eval.Fitted) string {
	if fi := f.Weights.Fit; fi != nil && fi.HeldOutWarned > 0 {
		return fmt.Sprintf("%.1f%% of the latest honest ones would be warned by weights that had not seen them", 100*fi.HeldOutWarned)
	}
	return fmt.Sprintf("%.1f%% of them would be warned", 100*f.Warned)
}

// weightsInUse names the weights check and serve use now.
func weightsInUse(ctx context.Context, db *store.DB) string {
	if w, err := detect.LoadWeights(ctx, db); err == nil && w != nil {
		return "stored"
	}
	return "built-in"
}

// modelConfig sets up the model from --org-domain, the directory and the
// topic key serve and check use on the same database.
func modelConfig(ctx context.Context, db *store.DB, g *Globals) (model.Config, error) {
	cfg, _, err := check.ModelConfig(ctx, db, g.OrgDomain)
	if err != nil {
		return cfg, err
	}
	cfg.TopicKey, err = g.topicKey(func(s string) { fmt.Fprintln(os.Stderr, "misend import:", s) })
	return cfg, err
}

// printSkips writes one line per skip reason, with its explanation and the
// first file skipped for it, each line after indent.
func printSkips(w io.Writer, indent string, sum ingest.Summary) {
	for _, reason := range sortedReasons(sum.Skipped) {
		fmt.Fprintf(w, "%sskipped %d (%s): %s\n", indent, sum.Skipped[reason], reason, ingest.Describe(reason))
		if ex := sum.Examples[reason]; ex != "" {
			fmt.Fprintf(w, "%s  first: %s\n", indent, ex)
		}
	}
}

func skipped(s ingest.Summary) int {
	n := 0
	for _, v := range s.Skipped {
		n += v
	}
	return n
}

func sortedReasons(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return m[out[i]] > m[out[j]] || (m[out[i]] == m[out[j]] && out[i] < out[j]) })
	return out
}

func orNone(l []string) string {
	if len(l) == 0 {
		return "none (everyone counts as inside)"
	}
	return strings.Join(l, ", ")
}
