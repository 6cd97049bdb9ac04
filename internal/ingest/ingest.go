// Package ingest reads mail history for `misend import`, `eval` and `terms
// recommend`: mbox files, Maildir trees, directories of .eml files and Exchange
// Online message-trace CSV exports.
package ingest

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/misend/misend/internal/mail"
)

// Options tune Walk.
type Options struct {
	Limits   mail.Limits // zero means mail.DefaultLimits
	Workers  int         // parsing goroutines; 0 means GOMAXPROCS
	Progress io.Writer   // where a progress bar goes when it is a terminal; nil for none
}

// Summary tells what Walk read.
type Summary struct {
	Files    int
	Messages int
	Skipped  map[string]int // reason → count
	Elapsed  time.Duration
}

// Walk reads every message under paths (files or directories, format detected
// per file) and calls fn once per message, serially, in a stable order; src
// names where the message came from (a file path, or "path#n" inside an mbox
// or CSV). Parsing may run on several goroutines. A message that cannot be
// parsed is counted in Summary.Skipped with its reason, not passed to fn. An
// error from fn stops the walk and is returned.
func Walk(ctx context.Context, paths []string, opt Options, fn func(src string, msg *mail.Message) error) (Summary, error) {
	return Summary{}, errors.New("ingest.Walk: not implemented")
}
