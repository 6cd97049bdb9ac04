// Package ingest reads mail history for `misend import`, `eval` and `terms
// recommend`: mbox files, Maildir trees, directories of .eml files and Exchange
// Online message-trace CSV exports (in UTF-8, Shift_JIS or UTF-16, through
// csvfile; a row with an impossible date is skipped with its line).
//
// It streams: messages are parsed on a few goroutines and handed to the
// caller one at a time in a stable order, so memory stays bounded whatever
// the corpus size: a bounded number of messages is in flight, read buffers
// are reused, and CSV rows are grouped in a bounded window (csv.go). What
// it passes over is counted under stable reason keys (skip.go). Files are
// read and split in read.go. It does not de-duplicate or store anything.
package ingest

import (
	"context"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/misend/misend/internal/mail"
)

// Options tune Walk.
type Options struct {
	Limits   mail.Limits // zero means mail.DefaultLimits
	Workers  int         // parsing goroutines; 0 means GOMAXPROCS
	Progress io.Writer   // where a progress bar goes when it is a terminal; nil for none
	// HeaderOnly parses only the header of each message
	// (mail.ParseHeaderBytes), for walks that need no more than who sent
	// what to whom and when: about half the work of a whole message.
	HeaderOnly bool
}

// Summary tells what Walk read.
type Summary struct {
	Files    int
	Messages int
	Skipped  map[string]int // reason key (the Skip constants) → count
	// Examples holds, per reason key, where the first such skip happened
	// and the full error, so an operator can find the culprit.
	Examples map[string]string
	Elapsed  time.Duration
}

// item is one unit of work: raw octets to parse, or an already built message
// (CSV), or a reason it was skipped.
type item struct {
	src    string
	raw    *[]byte // from rawBufs; returned once parsed
	msg    *mail.Message
	skip   string // a Skip key
	detail string // the error behind skip
	done   chan struct{}
}

// rawBufs recycles the buffers messages are read into: mail.ParseBytes
// keeps nothing of them.
var rawBufs = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

func getRaw() *[]byte { return rawBufs.Get().(*[]byte) }

func putRaw(b *[]byte) {
	if cap(*b) <= 1<<20 { // a rare huge message must not stay pinned
		*b = (*b)[:0]
		rawBufs.Put(b)
	}
}

// Walk reads every message under paths (files or directories, format detected
// per file) and calls fn once per message, serially, in a stable order; src
// names where the message came from (a file path, or "path#n" inside an mbox
// or CSV). Parsing may run on several goroutines. A message that cannot be
// parsed is counted in Summary.Skipped under its reason key, not passed to
// fn. An error from fn stops the walk and is returned.
func Walk(ctx context.Context, paths []string, opt Options, fn func(src string, msg *mail.Message) error) (Summary, error) {
	start := time.Now()
	sum := Summary{Skipped: map[string]int{}, Examples: map[string]string{}}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	lim := opt.Limits
	if lim == (mail.Limits{}) {
		lim = mail.DefaultLimits
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	files, err := listFiles(paths)
	if err != nil {
		return sum, err
	}
	sum.Files = len(files)
	prog := newProgress(opt.Progress, len(files))
	skipped := 0

	parse := mail.ParseBytes
	if opt.HeaderOnly {
		parse = mail.ParseHeaderBytes
	}
	work := make(chan *item, workers*4)
	ordered := make(chan *item, workers*16)
	for i := 0; i < workers; i++ {
		go func() {
			for it := range work {
				if it.raw != nil {
					m, err := parse(*it.raw, lim)
					if err != nil {
						it.skip, it.detail = reasonOf(err), err.Error()
					} else {
						it.msg = m
					}
					putRaw(it.raw)
					it.raw = nil
				}
				close(it.done)
			}
		}()
	}
	go func() {
		defer close(ordered)
		defer close(work)
		emit := func(it *item) bool {
			it.done = make(chan struct{})
			select {
			case ordered <- it:
			case <-ctx.Done():
				return false
			}
			select {
			case work <- it:
			case <-ctx.Done():
				return false
			}
			return true
		}
		r := reader{lim: lim, emit: emit}
		for _, f := range files {
			if err := r.readFile(f); err != nil {
				if ctx.Err() != nil {
					return
				}
				if !emit(&item{src: f, skip: SkipUnreadable, detail: err.Error()}) {
					return
				}
			}
		}
	}()
	for it := range ordered {
		<-it.done
		if it.skip != "" {
			sum.Skipped[it.skip]++
			if _, ok := sum.Examples[it.skip]; !ok {
				sum.Examples[it.skip] = it.src + ": " + truncate(it.detail, 200)
			}
			skipped++
			continue
		}
		sum.Messages++
		prog.update(sum.Messages, skipped, false)
		if err := fn(it.src, it.msg); err != nil {
			cancel()
			for range ordered {
			}
			sum.Elapsed = time.Since(start)
			return sum, err
		}
	}
	sum.Elapsed = time.Since(start)
	prog.update(sum.Messages, skipped, true)
	return sum, ctx.Err()
}

func truncate(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "")
	}
	return s
}
