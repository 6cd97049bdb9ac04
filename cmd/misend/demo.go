package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/misend/misend/internal/demo"
)

type demoCmd struct {
	Seed    uint64        `help:"Seed of the synthetic organisation." default:"1"`
	People  int           `help:"Number of staff." default:"1000"`
	Days    int           `help:"Days of history, ending today." default:"365"`
	Dir     string        `help:"Keep the history, database and spool here instead of a temporary directory." type:"path"`
	NoServe bool          `help:"Stop after the walk-through instead of running the gateway." name:"no-serve"`
	SMTP    string        `help:"SMTP listen address of the demo gateway." default:"127.0.0.1:2525" name:"smtp"`
	HTTP    string        `help:"HTTP listen address (metrics, health, UI)." default:"127.0.0.1:8025" name:"http"`
	For     time.Duration `help:"Stop the gateway after this long (e.g. 10m); default: until Ctrl-C." name:"for"`
	Verbose bool          `help:"Log the gateway's decisions to standard error."`
}

func (c *demoCmd) Run(g *Globals) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	o := demo.Options{Seed: c.Seed, People: c.People, Days: c.Days, Dir: c.Dir, Serve: !c.NoServe, SMTPAddr: c.SMTP, HTTPAddr: c.HTTP, For: c.For, Out: os.Stdout}
	if c.Verbose {
		o.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	_, err := demo.Run(ctx, o)
	return err
}
