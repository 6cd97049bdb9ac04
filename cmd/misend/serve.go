package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/misend/misend/internal/gateway"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/relay"
	"github.com/misend/misend/internal/server"
)

type serveCmd struct {
	SMTP     string `help:"SMTP listen address." default:"127.0.0.1:2525" name:"smtp"`
	Milter   string `help:"Milter listen address (not wired yet)." name:"milter"`
	HTTP     string `help:"HTTP listen address for /metrics, /healthz, /readyz." default:"127.0.0.1:8025" name:"http"`
	Upstream string `help:"Upstream smarthost host:port." required:"" name:"upstream"`
	Spool    string `help:"Spool directory." default:"./misend-spool" type:"path"`
	TLS      string `help:"Upstream STARTTLS: none, opportunistic, required." default:"opportunistic" enum:"none,opportunistic,required" name:"upstream-tls"`
	FailSafe string `help:"Verdict when a message cannot be parsed or decided on." default:"hold" enum:"pass,warn,delay,confirm,hold,reject" name:"fail-safe"`
}

func (c *serveCmd) Run(g *Globals) error {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	svc, err := checkService(ctx, g)
	if err != nil {
		return fmt.Errorf("serve: load model: %w", err)
	}
	s, err := server.Start(server.Options{
		SMTPAddr: c.SMTP,
		HTTPAddr: c.HTTP,
		SpoolDir: c.Spool,
		Upstream: relay.Client{Addr: c.Upstream, TLS: relay.TLSMode(c.TLS)},
		Decider:  gateway.ServiceDecider{Service: svc},
		Gateway:  gateway.Config{FailSafe: policy.Verdict(c.FailSafe)},
		Log:      log,
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	<-ctx.Done()
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.Shutdown(sctx)
}
