package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/misend/misend/internal/approval"
	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/gateway"
	"github.com/misend/misend/internal/journal"
	"github.com/misend/misend/internal/keyfile"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/notify"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/policystore"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/refit"
	"github.com/misend/misend/internal/relay"
	"github.com/misend/misend/internal/retention"
	"github.com/misend/misend/internal/server"
	"github.com/misend/misend/internal/siem"
	"github.com/misend/misend/internal/smtpauth"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/version"
)

// serveCmd's flags are pointers: nil means "not on the command line", so the
// --config file's value (or the built-in default) applies.
type serveCmd struct {
	SMTP         *string        `help:"SMTP listen address (default 127.0.0.1:2525)." name:"smtp"`
	Milter       *string        `help:"Milter listen address for Postfix smtpd_milters (default: no milter)." name:"milter"`
	HTTP         *string        `help:"HTTP listen address for /metrics, /healthz, /readyz, /act/ and the web UI (default 127.0.0.1:8025; empty: none)." name:"http"`
	Domain       *string        `help:"Host name in the SMTP greeting and bounces." name:"domain"`
	Upstream     *string        `help:"Upstream smarthost host:port, where passing and released mail goes." name:"upstream"`
	TLS          *string        `help:"Upstream STARTTLS: none, opportunistic (default), required." name:"upstream-tls"`
	UpstreamUser *string        `help:"Upstream AUTH PLAIN user." name:"upstream-user"`
	UpstreamPass *string        `help:"File holding the upstream AUTH password." name:"upstream-password-file"`
	Spool        *string        `help:"Spool directory (default ./misend-spool)." name:"spool"`
	SpoolKey     *string        `help:"File with a 32-byte key (or 64 hex digits): encrypt message bodies in the spool." name:"spool-key"`
	KeepFinished *time.Duration `help:"How long metadata of finished messages stays in the spool (default 72h)." name:"keep-finished"`
	FailSafe     *string        `help:"Verdict when a message cannot be parsed or decided on (default hold)." name:"fail-safe"`
	TLSCert      *string        `help:"Gateway STARTTLS certificate (PEM)." name:"tls-cert"`
	TLSKey       *string        `help:"Gateway STARTTLS key (PEM)." name:"tls-key"`
	AuthFile     *string        `help:"File of user:hash lines (misend smtp-user add); clients must AUTH (over TLS) before MAIL." name:"auth-file"`
	Network      []string       `help:"Client network allowed to relay, CIDR (repeatable). A listener other hosts can reach needs this or --auth-file." name:"network"`
	MaxMessage   *int64         `help:"Largest message in octets (default 10 MiB)." name:"max-message-bytes"`
	MaxRcpts     *int           `help:"Most recipients per message (default 1000)." name:"max-recipients"`
	MaxLine      *int           `help:"Longest line in octets; longer lines are refused with 500 5.5.2 (default 998, RFC 5322)." name:"max-line-length"`
	MaxHeader    *int           `help:"Largest header section in octets (default 100 KiB)." name:"max-header-bytes"`
	LinkKey      *string        `help:"Link-signing key file, created if missing (default SPOOL/link.key)." name:"link-key"`
	PublicURL    *string        `help:"Public base URL of the HTTP listener, for links in notices; notices are off without it." name:"public-url"`
	NotifyFrom   *string        `help:"From address of notices (default misend@ORG-DOMAIN)." name:"notify-from"`
	NotifyLang   *string        `help:"Language of notices when a person has none set: ja or en." name:"notify-lang"`
	SaveEvery    *time.Duration `help:"How often the learned model is saved while serving (default 5m)." name:"save-every"`
	Workers      *int           `help:"Messages delivered upstream at once (default 8)." name:"delivery-workers"`
	CutThrough   *bool          `help:"Send passing mail upstream before answering the client, spooling only what the upstream does not take (default on)." name:"cut-through" negatable:""`
	StampOutside *bool          `help:"Add the X-Misend-* verdict headers also to mail with a recipient outside the organisation (default off)." name:"stamp-outside" negatable:""`
	webFlags

	// sweep deletes old records daily, with a [retention] table.
	sweep       *retention.Sweeper
	sweepPolicy retention.Policy
	// siem sends decisions and audit entries on, with a [siem] table.
	siem      *siem.Exporter
	siemEvery time.Duration
	// refit fits the weights again on what people answered, every
	// [model] refit_every unless refit = false.
	refit func(context.Context)
}

func (c *serveCmd) Run(g *Globals) error {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	cfg := &config.Config{}
	if g.Config != "" {
		var err error
		if cfg, err = config.Load(g.Config); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	}
	c.merge(cfg)
	if g.DB == defaultDB && cfg.DB != "" {
		g.DB = cfg.DB
	}
	if len(g.OrgDomain) == 0 {
		g.OrgDomain = cfg.OrgDomains
	}
	o, closeAll, err := c.options(ctx, g, cfg, log)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer closeAll()
	log.Info("starting", "version", version.Read().String())
	// Said once, here, rather than on every message it concerns; the
	// policy page shows the same.
	for _, a := range c.advice {
		log.Warn("configuration: "+a.Text("en"), "key", a.Key, "code", a.Code, "severity", string(a.Severity))
	}
	s, err := server.Start(o)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	// Where it listens, as bound: a port given as 0 is chosen here.
	at := []any{"smtp", s.SMTP.String()}
	if s.HTTP != nil {
		at = append(at, "http", s.HTTP.String())
	}
	if s.Milter != nil {
		at = append(at, "milter", s.Milter.String())
	}
	log.Info("listening", at...)
	c.background(ctx, s, log)
	<-ctx.Done()
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.Shutdown(sctx)
}

// background starts what runs beside the server until ctx ends: the
// retention sweep (a minute after start, then daily) and the SIEM export.
func (c *serveCmd) background(ctx context.Context, s *server.Server, log *slog.Logger) {
	if c.sweep != nil {
		c.sweep.Held = s.Held // the spool is this process's: only its sweep ends held mail
		go c.sweep.Every(ctx, c.sweepPolicy, 24*time.Hour, log, func(out retention.Swept, err error) {
			s.Metrics.ObserveRetention(out.Kinds(), err)
		})
	}
	if c.siem != nil {
		c.siem.Log = log
		c.siem.Observe = s.Metrics.ObserveSIEM
		go c.siem.Run(ctx, c.siemEvery)
	}
	if c.refit != nil {
		go c.refit(ctx)
	}
}

// policyFollowEvery is how often a serving misend looks for a policy
// saved on another replica.
var policyFollowEvery = 2 * time.Second

// openPolicies puts in force the policy saved in the web UI, if any, else
// the file's (pcfg), and says so when the file no longer decides.
func openPolicies(ctx context.Context, db *store.DB, pol *policy.Policy, pcfg policy.Config, log *slog.Logger) (*policystore.Store, error) {
	alog, err := audit.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	ps, err := policystore.Open(ctx, db, policystore.Options{Policy: pol, File: pcfg, Audit: alog, Log: log})
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	if v := ps.Current(); v.Number > 0 && log != nil {
		msg := "policy: the version saved in the web UI is in force"
		if ps.FileDiffers() {
			msg += "; the configuration file's [policy] tables differ and are not used (export the policy from the web UI to review it)"
		}
		log.Warn(msg, "version", v.Number, "saved_by", v.Actor, "saved_at", v.At)
	}
	return ps, nil
}

// termsFollowEvery is how often a serving misend looks for changed term
// lists.
var termsFollowEvery = 10 * time.Second

// defaultDB is Globals.DB's default; a --config db applies when the flag
// still has it.
const defaultDB = "./misend.db"

// merge lays the command-line flags over the file: a flag given wins.
func (c *serveCmd) merge(cfg *config.Config) {
	set := func(dst *string, src *string, def string) {
		switch {
		case src != nil:
			*dst = *src
		case *dst == "":
			*dst = def
		}
	}
	c.webFlags.merge(cfg.Web)
	set(&cfg.SMTP.Listen, c.SMTP, "127.0.0.1:2525")
	set(&cfg.Milter.Listen, c.Milter, "")
	if c.HTTP != nil {
		cfg.HTTP.Listen = *c.HTTP
	} else if cfg.HTTP.Listen == "" {
		cfg.HTTP.Listen = "127.0.0.1:8025"
	}
	set(&cfg.SMTP.Domain, c.Domain, "")
	set(&cfg.Upstream.Addr, c.Upstream, "")
	set(&cfg.Upstream.TLS, c.TLS, "opportunistic")
	set(&cfg.Upstream.Username, c.UpstreamUser, "")
	set(&cfg.Upstream.PasswordFile, c.UpstreamPass, "")
	set(&cfg.Queue.Dir, c.Spool, "./misend-spool")
	set(&cfg.Queue.EncryptionKeyFile, c.SpoolKey, "")
	set(&cfg.SMTP.FailSafe, c.FailSafe, "")
	set(&cfg.SMTP.TLSCert, c.TLSCert, "")
	set(&cfg.SMTP.TLSKey, c.TLSKey, "")
	set(&cfg.SMTP.AuthFile, c.AuthFile, "")
	set(&cfg.Notify.SigningKeyFile, c.LinkKey, "")
	set(&cfg.Notify.BaseURL, c.PublicURL, "")
	set(&cfg.Notify.From, c.NotifyFrom, "")
	set(&cfg.Notify.DefaultLang, c.NotifyLang, "")
	if c.KeepFinished != nil {
		cfg.Queue.KeepFinished = config.Duration(*c.KeepFinished)
	}
	if c.SaveEvery != nil {
		cfg.Model.SaveEvery = config.Duration(*c.SaveEvery)
	}
	if c.Workers != nil {
		cfg.Queue.DeliveryWorkers = *c.Workers
	}
	if c.CutThrough != nil {
		cfg.Upstream.CutThrough = c.CutThrough
	}
	if c.StampOutside != nil {
		cfg.SMTP.StampOutside = *c.StampOutside
	}
	if c.MaxMessage != nil {
		cfg.SMTP.MaxMessageBytes = *c.MaxMessage
	}
	if c.MaxRcpts != nil {
		cfg.SMTP.MaxRecipients = *c.MaxRcpts
	}
	if c.MaxLine != nil {
		cfg.SMTP.MaxLineLength = *c.MaxLine
	}
	if c.MaxHeader != nil {
		cfg.SMTP.MaxHeaderBytes = *c.MaxHeader
	}
}

// options turns the merged configuration into server.Options. closeAll
// releases what it opened once the server stopped.
func (c *serveCmd) options(ctx context.Context, g *Globals, cfg *config.Config, log *slog.Logger) (server.Options, func(), error) {
	var o server.Options
	nothing := func() {}
	if cfg.Upstream.Addr == "" {
		return o, nothing, fmt.Errorf("no upstream: give --upstream or upstream.addr in the config")
	}
	switch cfg.Upstream.TLS {
	case "none", "opportunistic", "required":
	default:
		return o, nothing, fmt.Errorf("--upstream-tls %q: want none, opportunistic or required", cfg.Upstream.TLS)
	}
	if v := cfg.SMTP.FailSafe; v != "" && !policy.Verdict(v).Valid() {
		return o, nothing, fmt.Errorf("--fail-safe %q: want pass, warn, confirm, delay, hold or reject", v)
	}
	if len(c.Network) > 0 {
		cfg.SMTP.Networks = nil
		for _, n := range c.Network {
			var p config.Prefix
			if err := p.UnmarshalText([]byte(n)); err != nil {
				return o, nothing, fmt.Errorf("--network: %w", err)
			}
			cfg.SMTP.Networks = append(cfg.SMTP.Networks, p)
		}
	}
	if (cfg.SMTP.TLSCert == "") != (cfg.SMTP.TLSKey == "") {
		return o, nothing, fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if g.TopicKeyFile == "" {
		g.TopicKeyFile = cfg.Model.TopicKeyFile
	}
	reviewed := *cfg
	reviewed.DB, reviewed.OrgDomains, reviewed.Model.TopicKeyFile = g.DB, g.OrgDomain, g.TopicKeyFile
	c.advice = config.Review(&reviewed, config.Machine)

	pcfg := policy.DefaultConfig()
	if cfg.Policy != nil {
		pcfg = *cfg.Policy
	}
	if cfg.SMTP.FailSafe != "" {
		pcfg.Default.FailSafe = policy.Verdict(cfg.SMTP.FailSafe)
	}
	pol, err := policy.New(pcfg)
	if err != nil {
		return o, nothing, fmt.Errorf("policy: %w", err)
	}

	db, err := store.Open(ctx, g.DB)
	if err != nil {
		return o, nothing, err
	}
	if c.policies, err = openPolicies(ctx, db, pol, pcfg, log); err != nil {
		db.Close()
		return o, nothing, err
	}
	// Every replica reads the one key, so the topics in the journal, made
	// by whichever replica saw the message, are found by the others. An
	// unkeyed model on PostgreSQL is among the advice logged at start.
	key, err := g.topicKey(nil)
	if err != nil {
		db.Close()
		return o, nothing, err
	}
	// Term lists follow approvals made in the web UI or on the command
	// line while misend serves.
	loaded, err := check.Load(ctx, db, check.LoadOptions{OrgDomains: g.OrgDomain, Policy: pol, FollowTerms: termsFollowEvery, TopicKey: key})
	if err != nil {
		db.Close()
		return o, nothing, fmt.Errorf("load model: %w", err)
	}
	loaded.Terms.OnError = func(err error) { log.Error("reload term lists", "err", err) }
	m := loaded.Model
	dlog, err := decisions.Open(ctx, db)
	if err != nil {
		db.Close()
		return o, nothing, err
	}
	// A policy saved on another replica applies here within seconds.
	followCtx, stopFollow := context.WithCancel(ctx)
	go c.policies.Follow(followCtx, policyFollowEvery)
	closeAll := func() { stopFollow(); dlog.Close(); db.Close() }
	fail := func(err error) (server.Options, func(), error) { closeAll(); return server.Options{}, nothing, err }
	if c.siem, err = siemExporter(ctx, db, cfg.SIEM); err != nil {
		return fail(err)
	}
	c.siemEvery = orDuration(cfg.SIEM.Every, 5*time.Second)
	if cfg.Model.Refit == nil || *cfg.Model.Refit {
		every := orDuration(cfg.Model.RefitEvery, refit.DefaultEvery)
		c.refit = func(ctx context.Context) { refit.Loop(ctx, db, every, loaded.Detector, refit.Options{}, log) }
	}
	if cfg.Retention != nil {
		if p := retention.FromConfig(*cfg.Retention); !p.Keeps() {
			if c.sweep, err = sweeperOn(ctx, db); err != nil {
				return fail(err)
			}
			c.sweepPolicy = p
		}
	}

	gw := gateway.Config{
		Domain:          cfg.SMTP.Domain,
		Networks:        cfg.SMTP.NetworkPrefixes(),
		MaxMessageBytes: cfg.SMTP.MaxMessageBytes,
		MaxRecipients:   cfg.SMTP.MaxRecipients,
		MaxLineLength:   cfg.SMTP.MaxLineLength,
		MaxHeaderBytes:  cfg.SMTP.MaxHeaderBytes,
		StampOutside:    cfg.SMTP.StampOutside,
	}
	if cfg.SMTP.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.SMTP.TLSCert, cfg.SMTP.TLSKey)
		if err != nil {
			return fail(fmt.Errorf("gateway TLS: %w", err))
		}
		gw.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if cfg.SMTP.AuthFile != "" {
		users, err := readUsers(cfg.SMTP.AuthFile)
		if err != nil {
			return fail(err)
		}
		if len(users.Clear) > 0 && log != nil {
			log.Warn("DEPRECATED: the SMTP AUTH file holds clear-text passwords; hash them with `misend smtp-user hash "+cfg.SMTP.AuthFile+"`",
				"file", cfg.SMTP.AuthFile, "users", users.Clear)
		}
		gw.Auth = users
	}
	up := relay.Client{Addr: cfg.Upstream.Addr, TLS: relay.TLSMode(cfg.Upstream.TLS), Username: cfg.Upstream.Username}
	if cfg.Upstream.PasswordFile != "" {
		b, err := keyfile.Read(cfg.Upstream.PasswordFile)
		if err != nil {
			return fail(fmt.Errorf("upstream password: %w", err))
		}
		up.Password = strings.TrimSpace(string(b))
	}
	o = server.Options{
		SMTPAddr:        cfg.SMTP.Listen,
		MilterAddr:      cfg.Milter.Listen,
		HTTPAddr:        cfg.HTTP.Listen,
		SpoolDir:        cfg.Queue.Dir,
		KeepFinished:    time.Duration(cfg.Queue.KeepFinished),
		DeliveryWorkers: cfg.Queue.DeliveryWorkers,
		CutThrough:      cutThroughSessions(cfg.Upstream.CutThrough),
		Upstream:        up,
		Gateway:         gw,
		Retry: queue.Retry{
			First:  orDuration(cfg.Queue.RetryFirst, queue.DefaultRetry.First),
			Max:    orDuration(cfg.Queue.RetryMax, queue.DefaultRetry.Max),
			MaxAge: orDuration(cfg.Queue.MaxAge, queue.DefaultRetry.MaxAge),
		},
		Decide:    loaded.Path,
		Decisions: dlog,
		Model:     m,
		SaveModel: func(ctx context.Context) error { return m.Save(ctx, db) },
		SaveEvery: time.Duration(cfg.Model.SaveEvery),
		Log:       log,
	}
	if sharesLearning(db, cfg.Model.Share) {
		var applied int
		if o.Share, applied, err = modelSharer(ctx, db, m); err != nil {
			return fail(err)
		}
		log.Info("learning with the other replicas on the database", "applied", applied, "journal_position", m.JournalPosition())
	}
	if cfg.Queue.EncryptionKeyFile != "" {
		if o.SpoolKey, err = keyfile.Load(cfg.Queue.EncryptionKeyFile, keyfile.Exact32, false); err != nil {
			return fail(fmt.Errorf("spool key: %w", err))
		}
	}
	warnPlainSpool(log, cfg.Queue.Dir, o.SpoolKey)
	// One time zone for the organisation: report days, times on pages and
	// in notices (a person's own from the directory wins), business hours.
	loc, why, err := notify.ChooseTimeZone(c.WebTimeZone, g.OrgDomain, loaded.Directory.Load().People())
	if err != nil {
		return fail(fmt.Errorf("--web-time-zone: %w", err))
	}
	if c.WebTimeZone == "" && loc != time.Local {
		c.WebTimeZone = loc.String()
	}
	o.Location = loc
	log.Info("time zone", "zone", loc.String(), "because", why)
	if cfg.Approval != nil {
		o.Approval = &server.Approval{Config: cfg.Approval, People: approval.NewDirectoryPeople(loaded.Directory, cfg.Approval)}
	}
	if cfg.Notify.BaseURL != "" {
		keyFile := cfg.Notify.SigningKeyFile
		if keyFile == "" {
			if err := os.MkdirAll(cfg.Queue.Dir, 0o700); err != nil {
				return fail(err)
			}
			keyFile = filepath.Join(cfg.Queue.Dir, "link.key")
		}
		// Anyone holding it can forge links, which outlive a process.
		key, err := keyfile.Load(keyFile, keyfile.AtLeast32, true)
		if err != nil {
			return fail(fmt.Errorf("link key: %w", err))
		}
		from := cfg.Notify.From
		if from == "" && len(g.OrgDomain) > 0 {
			from = "misend@" + g.OrgDomain[0]
		}
		people := loaded.Directory.Load().People()
		lang, why := notify.ChooseDefaultLang(cfg.Notify.DefaultLang, g.OrgDomain, people)
		log.Info("notices: default language", "lang", lang, "because", why,
			"people_with_own_language", notify.OwnLangCount(people), "set_with", "notify.default_lang or the directory's lang column")
		o.Notify = &server.Notify{Key: key, BaseURL: cfg.Notify.BaseURL, From: from,
			DefaultLang: lang, TTL: time.Duration(cfg.Notify.LinkTTL)}
		o.Notify.People = notify.DirectoryPeople{Dir: loaded.Directory}
	}
	if err := c.webOptions(ctx, &o, db, loaded, &pcfg, dlog, loaded.Directory.Load(), cfg.Notify.BaseURL, log); err != nil {
		return fail(fmt.Errorf("web: %w", err))
	}
	return o, closeAll, nil
}

func orDuration(d config.Duration, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return time.Duration(d)
}

// warnPlainSpool warns at start when held mail will sit on disk in the
// clear: the spool keeps whole messages, bodies and attachments, for as
// long as they wait.
func warnPlainSpool(log *slog.Logger, dir string, key []byte) {
	if key != nil || log == nil {
		return
	}
	log.Warn("the spool is not encrypted: waiting messages are stored in the clear; give --spool-key (or [queue] encryption_key_file) to encrypt them at rest",
		"spool", dir)
}

// readUsers reads the gateway's AUTH file ("user:hash" lines, or older
// "user:password" ones; blank lines and # comments are skipped).
func readUsers(path string) (*smtpauth.Users, error) {
	b, err := keyfile.Read(path)
	if err != nil {
		return nil, fmt.Errorf("auth file: %w", err)
	}
	return smtpauth.Parse(path, b)
}

// cutThroughSessions is how many messages may go upstream at once before
// their clients are answered: as many as a busy MTA opens sessions to a
// relay (Postfix's default destination concurrency is 20), so that under
// load most passing mail is cut through and the rest is spooled.
func cutThroughSessions(on *bool) int {
	if on != nil && !*on {
		return 0
	}
	return 32
}

// sharesLearning tells whether serve and import on db learn through the
// replicas' journal: as [model] share says, else on PostgreSQL only.
func sharesLearning(db *store.DB, share *bool) bool {
	if share != nil {
		return *share
	}
	return db.Dialect == store.Postgres
}

// modelSharer joins the replicas learning through db's journal, under a
// name of this process's own, and learns what they learned since the
// snapshot m was loaded from; it reports how many messages that was.
func modelSharer(ctx context.Context, db *store.DB, m *model.Model) (*journal.Sharer, int, error) {
	host, _ := os.Hostname()
	var nonce [4]byte
	rand.Read(nonce[:])
	j, err := journal.Open(ctx, db, fmt.Sprintf("%s/%d/%x", host, os.Getpid(), nonce))
	if err != nil {
		return nil, 0, err
	}
	s := journal.NewSharer(j, m)
	r, err := s.Sync(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("catch up with the other replicas: %w", err)
	}
	return s, r.Applied, nil
}

// siemExporter sets up the SIEM export of a [siem] table; nil without one.
func siemExporter(ctx context.Context, db *store.DB, cfg config.SIEM) (*siem.Exporter, error) {
	var sinks []siem.Sink
	if cfg.JSONFile != "" {
		sinks = append(sinks, siem.File{Path: cfg.JSONFile})
	}
	if cfg.Syslog != "" {
		s, err := siem.NewSyslog(cfg.Syslog, cfg.SyslogCAFile)
		if err != nil {
			return nil, err
		}
		sinks = append(sinks, s)
	}
	if cfg.HECURL != "" {
		tok, err := keyfile.Read(cfg.HECTokenFile)
		if err != nil {
			return nil, fmt.Errorf("siem: HEC token: %w", err)
		}
		h, err := siem.NewHEC(siem.HECOptions{URL: cfg.HECURL, Token: string(tok), CAFile: cfg.HECCAFile,
			Index: cfg.HECIndex, Sourcetype: cfg.HECSourcetype})
		if err != nil {
			return nil, fmt.Errorf("siem: %w", err)
		}
		sinks = append(sinks, h)
	}
	if len(sinks) == 0 {
		return nil, nil
	}
	x, err := siem.New(ctx, db, sinks...)
	if err != nil {
		return nil, err
	}
	x.IncludeTerms = cfg.IncludeTerms
	if cfg.MaxBackoff > 0 {
		x.MaxBackoff = time.Duration(cfg.MaxBackoff)
	}
	return x, nil
}
