package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/demo"
	"github.com/misend/misend/internal/server"
)

type demoCmd struct {
	Seed    uint64        `help:"Seed of the synthetic organisation." default:"1"`
	People  int           `help:"Number of staff." default:"1000"`
	Days    int           `help:"Days of history, ending today." default:"365"`
	Dir     string        `help:"Keep the history, database and spool here instead of a temporary directory." type:"path"`
	NoServe bool          `help:"Stop after the walk-through instead of running the gateway." name:"no-serve"`
	SMTP    string        `help:"SMTP listen address of the demo gateway." default:"127.0.0.1:2525" name:"smtp"`
	HTTP    string        `help:"HTTP listen address (web UI, API, metrics)." default:"127.0.0.1:8025" name:"http"`
	For     time.Duration `help:"Stop the gateway after this long (e.g. 10m); default: until Ctrl-C." name:"for"`
	Verbose bool          `help:"Log the gateway's work to standard error."`
}

func (c *demoCmd) Run(g *Globals) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if c.Verbose {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	var db string // --db given: the demo's database, kept for misend check
	if g.DB != defaultDB {
		db = g.DB
	}
	_, err := demo.Run(ctx, demo.Options{
		Seed: c.Seed, People: c.People, Days: c.Days, Dir: c.Dir, DB: db,
		Serve: !c.NoServe, SMTPAddr: c.SMTP, HTTPAddr: c.HTTP, For: c.For,
		Out: os.Stdout, Log: log, Start: startLikeServe,
		TopicKey: func(db string) ([]byte, error) { return (&Globals{DB: db}).topicKey(nil) },
	})
	return err
}

// startLikeServe starts the demo's gateway through the same assembly as
// `misend serve`, so the demo shows the web UI, notices and learning as a
// production run has them.
func startLikeServe(ctx context.Context, env demo.ServeEnv) (*server.Server, func(), error) {
	cfg := &config.Config{}
	cfg.SMTP.Listen = env.SMTPAddr
	cfg.SMTP.Domain = "misend.localhost"
	cfg.HTTP.Listen = env.HTTPAddr
	cfg.Upstream.Addr = env.Upstream
	cfg.Upstream.TLS = "none"
	cfg.Queue.Dir = env.SpoolDir
	if env.HTTPAddr != "" {
		cfg.Notify.BaseURL = "http://" + env.HTTPAddr
	}
	var sc serveCmd
	sc.merge(cfg)
	g := &Globals{DB: env.DB, OrgDomain: []string{env.OrgDomain}}
	o, closeAll, err := sc.options(ctx, g, cfg, env.Log)
	if err != nil {
		return nil, nil, err
	}
	s, err := server.Start(o)
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	return s, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(sctx)
		closeAll()
	}, nil
}
