// Package server assembles the running gateway: spool, SMTP listener,
// milter, upstream delivery, notices with signed links, the decisions log,
// learning from delivered mail, and the HTTP endpoints (/metrics, /healthz,
// /readyz, /act/ and the web UI handler), so `misend serve` and
// `misend demo` start the same thing.
//
// Both ways in share one decision path (a decide.Decider, normally
// decide.Path) and one queue: mail the milter holds waits in the
// same spool as mail the gateway holds and leaves through the same upstream
// when released. It holds no logic of its own beyond wiring and orderly
// shutdown.
package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/misend/misend/internal/approval"
	"github.com/misend/misend/internal/clientip"
	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/gateway"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/journal"
	"github.com/misend/misend/internal/metrics"
	"github.com/misend/misend/internal/milter"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/notify"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/relay"
	"github.com/misend/misend/internal/repeat"
)

// Options configure a Server. Only SpoolDir, SMTPAddr, Upstream and a
// decider are needed; every other part is off when left zero.
type Options struct {
	SMTPAddr   string // e.g. 127.0.0.1:2525
	MilterAddr string // empty: no milter
	HTTPAddr   string // empty: no HTTP endpoints
	SpoolDir   string
	// SpoolKey, 32 bytes, encrypts message bodies in the spool.
	SpoolKey []byte
	// KeepFinished is how long metadata of finished messages stays in the
	// spool (bodies go at once); 0 means 72 hours.
	KeepFinished time.Duration
	Upstream     relay.Client
	Gateway      gateway.Config
	Milter       milter.Limits
	Retry        queue.Retry
	// DeliveryWorkers is how many messages go to the upstream at once, each
	// over its own reused connection; 0 means queue.DefaultWorkers.
	DeliveryWorkers int
	// CutThrough is how many passing messages may be sent upstream at once
	// while their clients wait, answered on the upstream's 250 without
	// touching the spool (direct.go); 0 turns cut-through off.
	CutThrough int

	// Decide is the one decision path for the gateway and the milter
	// (decide.Path, as check.Load assembles it).
	Decide decide.Decider
	// Decisions records every decision (decisions.Log); optional.
	Decisions gateway.Recorder

	// Notify, when set, mails senders and approvers about warned and
	// waiting messages and serves their links at /act/.
	Notify *Notify

	// Model, when set, learns from every message that leaves: delivered by
	// the queue, or passed by the milter. SaveModel stores it every
	// SaveEvery (0 means 5 minutes) when it changed, and at shutdown.
	Model     *model.Model
	SaveModel func(context.Context) error
	SaveEvery time.Duration
	// Share, when set, shares the model's learning with the other
	// replicas on the same database every ShareEvery (0 means a second),
	// and saves the model through it (journal.Sharer.Save).
	Share      *journal.Sharer
	ShareEvery time.Duration

	Log *slog.Logger

	// Web, if set, is called once the queue is open and returns the
	// handler (web UI, HTTP API) mounted at "/" on the HTTP listener, next
	// to /metrics, /healthz, /readyz and /act/. It can reach held mail
	// through s.Held.
	Web func(s *Server) http.Handler
	// AuditBody records every human view of a held body (held.Service.Audit);
	// without it held bodies cannot be read.
	AuditBody func(ctx context.Context, r held.BodyRead) error
	// AuditAction records every action on waiting mail before it takes
	// effect (held.Service.Record); web, API and link actions alike.
	AuditAction func(ctx context.Context, r held.ActionRecord) error
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// a link's user in the audit log.
	TrustedProxies clientip.Proxies
	// People says who may act on waiting mail now (held.Service.People,
	// an auth.Service); without it links in notices cannot act.
	People held.People
	// HeldChanged is told of every action on waiting mail (feedback,
	// reports), after misend's own notices.
	HeldChanged func(ctx context.Context, c held.Change)

	// Approval, when set, passes held mail nobody decides on to the next
	// approvers and takes the final action at its deadline (package
	// approval).
	Approval *Approval
	// Location is the organisation's time zone: business hours count in
	// it, and notices show times in it to people without a zone of their
	// own. nil: time.Local for hours; JST or UTC in notices.
	Location *time.Location
	// Now is the clock of the approval lifecycle, of actions on held mail
	// and of notices; nil: time.Now. Tests move it instead of waiting.
	Now func() time.Time
}

// Approval configures the approval lifecycle.
type Approval struct {
	Config *approval.Config
	People approval.People // approval.NewDirectoryPeople
	// Every is how often held mail is looked at; 0 means a minute.
	Every time.Duration
}

// Notify configures notices about waiting messages.
type Notify struct {
	Key         []byte        // link-signing key, at least 32 bytes (keyfile.AtLeast32)
	BaseURL     string        // where /act/ is reached, e.g. https://misend.corp.example
	From        string        // e.g. misend@corp.example
	DefaultLang string        // "ja" or "en"
	TTL         time.Duration // link lifetime; 0 means 72 hours
	People      notify.People // languages and approvers (notify.DirectoryPeople); optional
}

// Server is a running gateway.
type Server struct {
	Queue   *queue.Queue
	Metrics *metrics.Metrics
	// Held is what the web UI and API use to list and act on waiting mail.
	Held *held.Service
	// Approval is the approval lifecycle; nil without Options.Approval.
	Approval *approval.Engine
	Notifier *notify.Notifier // nil without Options.Notify
	SMTP     net.Addr
	Milter   net.Addr // nil without a milter
	HTTP     net.Addr

	o      Options
	log    *slog.Logger
	gw     *gateway.Server
	ml     *milter.Server
	web    *http.Server
	learn  *learner
	cut    *cutThrough // nil: every message goes through the spool
	taken  *repeat.Log
	cutUp  *relay.Pool
	cancel context.CancelFunc
	wg     sync.WaitGroup

	shutdown    sync.Once
	shutdownErr error
	// mailListeners are closed at shutdown by the server too: the SMTP
	// and milter servers only close the listeners their Serve has
	// reached, and a shutdown right after Start can come first.
	mailListeners []net.Listener
	ready         atomic.Bool
	// saveTicks counts the model-save ticks handled, so a test can tell
	// that a save had its chance without sleeping.
	saveTicks atomic.Int64
}

// Start opens the spool and starts listening and delivering.
func Start(o Options) (*Server, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Retry == (queue.Retry{}) {
		o.Retry = queue.DefaultRetry
	}
	if o.KeepFinished <= 0 {
		o.KeepFinished = 72 * time.Hour
	}
	if o.Decide == nil {
		return nil, errors.New("server: no decider")
	}
	if a, err := net.ResolveTCPAddr("tcp", o.SMTPAddr); err != nil {
		return nil, fmt.Errorf("smtp listen address: %w", err)
	} else if err := gateway.CheckExposure(a, o.Gateway); err != nil {
		return nil, err
	}
	q, err := queue.OpenOptions(o.SpoolDir, queue.Options{Key: o.SpoolKey, Workers: o.DeliveryWorkers})
	if err != nil {
		return nil, err
	}
	if n := q.PossibleDuplicates(); n > 0 {
		o.Log.Warn("messages were in flight at the last stop and may be delivered twice", "count", n)
	}
	s := &Server{Queue: q, Metrics: metrics.New(q), o: o, log: o.Log}
	if s.taken, err = repeat.Open(filepath.Join(o.SpoolDir, "taken.log"), 0, 0, time.Now()); err != nil {
		return nil, err
	}
	s.Held = &held.Service{Queue: q, People: o.People, Audit: o.AuditBody, Record: o.AuditAction, Changed: s.heldChanged, Now: o.Now}
	if o.Notify != nil {
		sg, err := notify.NewSigner(o.Notify.Key)
		if err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
		s.Notifier = &notify.Notifier{
			Signer: sg, Outbox: outbox{s}, People: o.Notify.People, From: o.Notify.From,
			BaseURL: o.Notify.BaseURL, DefaultLang: o.Notify.DefaultLang, TTL: o.Notify.TTL,
			Location: o.Location, Now: o.Now,
		}
		if s.Notifier.From == "" {
			s.Notifier.From = "misend@" + domainOr(o.Gateway.Domain)
		}
	}
	if o.Approval != nil {
		cal, err := o.Approval.Config.Calendar(o.Location)
		if err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
		if o.Approval.People == nil {
			return nil, errors.New("server: the approval lifecycle needs the directory (Approval.People)")
		}
		s.Approval = &approval.Engine{Config: o.Approval.Config, Calendar: cal, People: o.Approval.People, Held: s.Held,
			Queue: q, Notifier: s.Notifier, Now: o.Now, Log: o.Log}
		s.Held.Lifecycle = s.Approval
	}
	if o.Model != nil {
		s.learn = newLearner(o.Model, s.Metrics, o.Log)
		if o.Share != nil {
			s.learn.learned = o.Share.Learned
		}
	}
	if o.CutThrough > 0 {
		c := o.Upstream
		if c.Timeout == 0 || c.Timeout > cutThroughTimeout {
			c.Timeout = cutThroughTimeout
		}
		s.cutUp = relay.NewPool(c, o.CutThrough)
		s.cut = newCutThrough(countingDeliverer{s.cutUp, s.Metrics}, o.CutThrough, s.Metrics, o.Log)
	}

	dec := countingDecider{o.Decide, s.Metrics}
	o.Gateway.Log = o.Log
	o.Gateway.Recorder = o.Decisions
	s.gw = gateway.New(o.Gateway, dec, s)

	var ls []net.Listener
	closeAll := func() {
		for _, l := range ls {
			l.Close()
		}
	}
	sl, err := net.Listen("tcp", o.SMTPAddr)
	if err != nil {
		return nil, fmt.Errorf("listen smtp: %w", err)
	}
	ls = append(ls, sl)
	s.SMTP = sl.Addr()
	s.mailListeners = append(s.mailListeners, sl)
	var ml net.Listener
	if o.MilterAddr != "" {
		ml, err = milter.Listen(o.MilterAddr)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("listen milter: %w", err)
		}
		ls = append(ls, ml)
		s.Milter = ml.Addr()
		s.mailListeners = append(s.mailListeners, ml)
		s.ml = &milter.Server{
			Decider: dec, Holder: milterHolder{s}, Recorder: o.Decisions, Limits: o.Milter, StampOutside: o.Gateway.StampOutside,
			Log: o.Log, Accepted: s.milterAccepted,
		}
	}
	var hl net.Listener
	if o.HTTPAddr != "" {
		hl, err = net.Listen("tcp", o.HTTPAddr)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("listen http: %w", err)
		}
		s.HTTP = hl.Addr()
		s.web = &http.Server{Handler: s.mux(), ReadHeaderTimeout: 10 * time.Second}
	}

	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.run(func() {
		if err := s.gw.Serve(sl); err != nil {
			o.Log.Error("smtp", "err", err)
		}
	})
	if s.ml != nil {
		s.run(func() {
			if err := s.ml.Serve(ml); err != nil {
				o.Log.Error("milter", "err", err)
			}
		})
	}
	if s.web != nil {
		s.run(func() {
			if err := s.web.Serve(hl); err != nil && !errors.Is(err, http.ErrServerClosed) {
				o.Log.Error("http", "err", err)
			}
		})
	}
	up := relay.NewPool(o.Upstream, q.Workers())
	s.run(func() {
		q.Run(ctx, countingDeliverer{up, s.Metrics}, o.Retry, queue.Hooks{Bounced: s.bounce(), Delivered: s.delivered})
		up.Close()
	})
	s.run(func() { s.housekeeping(ctx) })
	if s.learn != nil {
		s.run(s.learn.run)
	}
	s.ready.Store(true)
	o.Log.Info("misend serving", "smtp", s.SMTP.String(), "milter", o.MilterAddr, "http", o.HTTPAddr,
		"upstream", o.Upstream.Addr, "spool", o.SpoolDir, "encrypted", o.SpoolKey != nil, "notify", o.Notify != nil)
	return s, nil
}

// MilterStats counts the milter's connections, messages and answers;
// zero without a milter.
func (s *Server) MilterStats() milter.Stats {
	if s.ml == nil {
		return milter.Stats{}
	}
	return s.ml.Stats()
}

func (s *Server) run(f func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

func (s *Server) mux() http.Handler {
	mux := http.NewServeMux()
	ops := s.Metrics.Handler(s.ready.Load)
	for _, p := range []string{"GET /metrics", "GET /healthz", "GET /readyz"} {
		mux.Handle(p, ops)
	}
	if s.Notifier != nil {
		(&notify.Handler{Signer: s.Notifier.Signer, Queue: actQueue{s.Held}, Log: s.log, ClientIP: s.o.TrustedProxies.Of}).Mount(mux)
	}
	if s.o.Web != nil {
		if h := s.o.Web(s); h != nil {
			mux.Handle("/", h)
		}
	}
	return mux
}

// Shutdown finishes SMTP and milter sessions in flight, stops delivery
// after the attempt in flight, closes the HTTP endpoints and saves the
// model. Later calls return what the first returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdown.Do(func() { s.shutdownErr = s.stop(ctx) })
	return s.shutdownErr
}

func (s *Server) stop(ctx context.Context) error {
	s.ready.Store(false)
	err := s.gw.Shutdown(ctx)
	if s.cutUp != nil {
		s.cutUp.Close()
	}
	if s.ml != nil {
		s.ml.Close()
	}
	for _, l := range s.mailListeners {
		l.Close()
	}
	if s.web != nil {
		s.web.Shutdown(ctx)
	}
	if s.learn != nil {
		s.learn.stop()
	}
	s.cancel()
	s.wg.Wait()
	s.taken.Close()
	if serr := s.saveModel(ctx); serr != nil {
		err = errors.Join(err, serr)
	}
	return err
}

// housekeeping prunes finished messages' metadata and saves the model
// periodically until ctx ends.
func (s *Server) housekeeping(ctx context.Context) {
	every := s.o.SaveEvery
	if every <= 0 {
		every = 5 * time.Minute
	}
	prune := time.NewTicker(min(time.Hour, max(s.o.KeepFinished/10, time.Second)))
	defer prune.Stop()
	save := time.NewTicker(every)
	defer save.Stop()
	var lifecycle <-chan time.Time
	if s.Approval != nil {
		t := time.NewTicker(cmp.Or(s.o.Approval.Every, time.Minute))
		defer t.Stop()
		lifecycle = t.C
	}
	var share <-chan time.Time
	if s.o.Share != nil && s.learn != nil {
		t := time.NewTicker(cmp.Or(s.o.ShareEvery, time.Second))
		defer t.Stop()
		share = t.C
	}
	for {
		select {
		case <-share:
			s.share(ctx)
		case <-lifecycle:
			if rep, err := s.Approval.Tick(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("approval lifecycle", "err", err)
			} else if rep != (approval.Report{}) {
				s.log.Info("approval lifecycle", "escalated", rep.Escalated, "returned", rep.Returned, "rejected", rep.Rejected)
			}
		case <-ctx.Done():
			return
		case <-prune.C:
			if n, err := s.Queue.Prune(time.Now().Add(-s.o.KeepFinished)); err != nil {
				s.log.Error("prune spool", "err", err)
			} else if n > 0 {
				s.log.Info("pruned finished messages", "count", n)
			}
		case <-save.C:
			if err := s.saveModel(ctx); err != nil {
				s.log.Error("save model", "err", err)
			}
			s.saveTicks.Add(1)
		}
	}
}

func (s *Server) saveModel(ctx context.Context) error {
	if s.learn == nil || s.o.SaveModel == nil || !s.learn.dirty.Swap(false) {
		return nil
	}
	save := s.o.SaveModel
	if s.o.Share != nil {
		save = func(ctx context.Context) error { return s.o.Share.Save(ctx, s.o.SaveModel) }
	}
	if err := save(ctx); err != nil {
		s.learn.dirty.Store(true)
		return fmt.Errorf("save model: %w", err)
	}
	return nil
}

// share sends what this replica learned to the journal and learns what the
// others sent.
func (s *Server) share(ctx context.Context) {
	r, err := s.o.Share.Sync(ctx)
	s.Metrics.Journal.WithLabelValues("appended").Add(float64(r.Appended))
	s.Metrics.Journal.WithLabelValues("applied").Add(float64(r.Applied))
	s.Metrics.Journal.WithLabelValues("dropped").Add(float64(r.Dropped))
	s.Metrics.JournalAt.Set(float64(s.o.Model.JournalPosition()))
	if r.Applied > 0 {
		s.learn.dirty.Store(true)
	}
	if r.Reloaded {
		s.log.Warn("entries this replica had not learned were pruned from the journal; reloaded the model from the stored snapshot")
	}
	if err != nil && ctx.Err() == nil {
		s.log.Warn("share learning with other replicas", "err", err)
	}
}

// bounce returns the hook that sends a DSN for permanently refused mail
// through the queue itself, so the bounce is as durable as any message.
func (s *Server) bounce() func(queue.Item, []byte, error) {
	domain := domainOr(s.o.Gateway.Domain)
	return func(it queue.Item, raw []byte, reason error) {
		env, dsn := relay.DSN(domain, it, raw, reason, time.Now())
		if dsn == nil {
			return
		}
		sys := queue.Item{Envelope: env, Outcome: queue.Outcome{Verdict: "pass"}, State: queue.Queued, System: true}
		if _, err := s.Queue.Add(context.Background(), sys, dsn); err != nil {
			s.log.Error("queue bounce", "id", it.ID, "err", err)
		}
	}
}

func domainOr(d string) string {
	if d == "" {
		return "misend.localhost"
	}
	return d
}
