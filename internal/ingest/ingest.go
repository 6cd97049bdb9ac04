// Package ingest reads mail history for `misend import`, `eval` and `terms
// recommend`: mbox files, Maildir trees, directories of .eml files and Exchange
// Online message-trace CSV exports.
//
// It streams: messages are parsed on a few goroutines and handed to the
// caller one at a time in a stable order, so memory stays bounded whatever
// the corpus size. It does not de-duplicate or store anything.
package ingest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
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

// item is one unit of work: raw octets to parse, or an already built message
// (CSV), or a reason it was skipped.
type item struct {
	src  string
	raw  []byte
	msg  *mail.Message
	skip string
	done chan struct{}
}

// Walk reads every message under paths (files or directories, format detected
// per file) and calls fn once per message, serially, in a stable order; src
// names where the message came from (a file path, or "path#n" inside an mbox
// or CSV). Parsing may run on several goroutines. A message that cannot be
// parsed is counted in Summary.Skipped with its reason, not passed to fn. An
// error from fn stops the walk and is returned.
func Walk(ctx context.Context, paths []string, opt Options, fn func(src string, msg *mail.Message) error) (Summary, error) {
	start := time.Now()
	sum := Summary{Skipped: map[string]int{}}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
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

	work := make(chan *item, workers*4)
	ordered := make(chan *item, workers*16)
	for i := 0; i < workers; i++ {
		go func() {
			for it := range work {
				if it.raw != nil {
					m, err := mail.Parse(bytes.NewReader(it.raw), opt.Limits)
					if err != nil {
						it.skip = err.Error()
					} else {
						it.msg = m
					}
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
		for _, f := range files {
			if err := readFile(f, emit); err != nil {
				if ctx.Err() != nil {
					return
				}
				if !emit(&item{src: f, skip: "unreadable file: " + err.Error()}) {
					return
				}
			}
		}
	}()
	for it := range ordered {
		<-it.done
		if it.skip != "" {
			sum.Skipped[reasonKey(it.skip)]++
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

// reasonKey keeps skip reasons few: it drops numbers-heavy detail after a colon.
func reasonKey(s string) string {
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}

// listFiles expands directories, skipping Maildir tmp/ and hidden files, and
// sorts the result so walks are repeatable.
func listFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return fmt.Errorf("walk %s: %w", path, err)
			}
			name := d.Name()
			if d.IsDir() {
				if path != p && (name == "tmp" || strings.HasPrefix(name, ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasPrefix(name, ".") || !d.Type().IsRegular() {
				return nil
			}
			out = append(out, path)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}

// readFile detects the format of one file and emits its messages.
func readFile(path string, emit func(*item) bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(512)
	switch {
	case bytes.HasPrefix(head, []byte("From ")):
		return readMbox(path, br, emit)
	case strings.EqualFold(filepath.Ext(path), ".csv"):
		return readCSV(path, br, emit)
	}
	raw, err := io.ReadAll(io.LimitReader(br, int64(mail.DefaultLimits.MaxMessageBytes)*2))
	if err != nil {
		return err
	}
	emit(&item{src: path, raw: raw})
	return nil
}

// readMbox splits an mboxo/mboxrd file on "From " lines and undoes ">From "
// quoting; CRLF line ends are tolerated.
func readMbox(path string, br *bufio.Reader, emit func(*item) bool) error {
	n := 0
	var cur []byte
	started := false
	flush := func() bool {
		if !started {
			return true
		}
		n++
		return emit(&item{src: fmt.Sprintf("%s#%d", path, n), raw: cur})
	}
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// An overlong line: keep it whole.
			rest, err2 := br.ReadBytes('\n')
			line = append(append([]byte(nil), line...), rest...)
			err = err2
		}
		if len(line) > 0 {
			if bytes.HasPrefix(line, []byte("From ")) {
				if !flush() {
					return nil
				}
				cur, started = nil, true
			} else if started {
				if unq := bytes.TrimLeft(line, ">"); len(unq) < len(line) && bytes.HasPrefix(unq, []byte("From ")) {
					line = line[1:]
				}
				// Past the cap the message will be refused anyway; stop
				// growing it so one huge mbox entry cannot exhaust memory.
				if len(cur) <= mail.DefaultLimits.MaxMessageBytes*2 {
					cur = append(cur, line...)
				}
			}
		}
		if err == io.EOF {
			flush()
			return nil
		}
		if err != nil {
			return err
		}
	}
}
