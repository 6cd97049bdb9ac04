// Package ingest reads mail history for `misend import`, `eval` and `terms
// recommend`: mbox files, Maildir trees, directories of .eml files and Exchange
// Online message-trace CSV exports.
//
// It streams: messages are parsed on a few goroutines and handed to the
// caller one at a time in a stable order, so memory stays bounded whatever
// the corpus size: a bounded number of messages is in flight, read buffers
// are reused, and CSV rows are grouped in a bounded window (csv.go). It does
// not de-duplicate or store anything.
package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
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

// Reasons a message or file is skipped. They are stable keys, fit for
// counting and for scripts; Describe gives the sentence for each.
const (
	SkipNotMail          = "not-mail"
	SkipMaildirMetadata  = "maildir-metadata"
	SkipTooLarge         = "too-large"
	SkipHeaderTooLarge   = "header-too-large"
	SkipMIMETooDeep      = "mime-too-deep"
	SkipMIMETooManyParts = "mime-too-many-parts"
	SkipUnreadable       = "unreadable-file"
	SkipUnparseable      = "unparseable"
	SkipCSVColumns       = "csv-unknown-columns"
	SkipCSVBadRow        = "csv-unreadable-row"
	SkipCSVNoAddress     = "csv-row-without-address"
	SkipCSVLateRow       = "csv-late-recipient-row"
)

var reasons = map[string]string{
	SkipNotMail:          "not mail: the file does not start with a mail header (or holds binary data)",
	SkipMaildirMetadata:  "mail server bookkeeping in a Maildir (maildirsize, dovecot-*, courierimap*)",
	SkipTooLarge:         "message larger than the size limit",
	SkipHeaderTooLarge:   "header larger than the header size limit",
	SkipMIMETooDeep:      "MIME parts nested deeper than the limit",
	SkipMIMETooManyParts: "more MIME parts than the limit",
	SkipUnreadable:       "file could not be read",
	SkipUnparseable:      "message could not be parsed",
	SkipCSVColumns:       "CSV file without sender and recipient address columns",
	SkipCSVBadRow:        "CSV row that is not valid CSV",
	SkipCSVNoAddress:     "CSV row without a sender or recipient address",
	SkipCSVLateRow:       "CSV recipient row far from its message's other rows, after the message was passed on",
}

// Describe explains a skip reason key in a sentence.
func Describe(reason string) string {
	if d, ok := reasons[reason]; ok {
		return d
	}
	return reason
}

// reasonOf maps a Parse error to its skip key.
func reasonOf(err error) string {
	for _, k := range []struct {
		err    error
		reason string
	}{
		{mail.ErrNotMessage, SkipNotMail},
		{mail.ErrTooLarge, SkipTooLarge},
		{mail.ErrHeaderTooLarge, SkipHeaderTooLarge},
		{mail.ErrTooDeep, SkipMIMETooDeep},
		{mail.ErrTooManyParts, SkipMIMETooManyParts},
	} {
		if errors.Is(err, k.err) {
			return k.reason
		}
	}
	return SkipUnparseable
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

	work := make(chan *item, workers*4)
	ordered := make(chan *item, workers*16)
	for i := 0; i < workers; i++ {
		go func() {
			for it := range work {
				if it.raw != nil {
					m, err := mail.ParseBytes(*it.raw, lim)
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

// maildirMetadata tells the bookkeeping files Maildir servers keep beside
// the mail (Dovecot, Courier, quota files) from messages.
func maildirMetadata(name string) bool {
	switch name {
	case "maildirsize", "maildirfolder", "subscriptions":
		return true
	}
	return strings.HasPrefix(name, "dovecot") || strings.HasPrefix(name, "courierimap")
}

// reader turns files into items.
type reader struct {
	lim  mail.Limits
	emit func(*item) bool
	br   *bufio.Reader // reused for every file: Maildir means one file per message
}

func (r *reader) bufReader(f io.Reader) *bufio.Reader {
	if r.br == nil {
		r.br = bufio.NewReaderSize(f, 64<<10)
	} else {
		r.br.Reset(f)
	}
	return r.br
}

// readFile detects the format of one file and emits its messages.
func (r *reader) readFile(path string) error {
	if maildirMetadata(filepath.Base(path)) {
		r.emit(&item{src: path, skip: SkipMaildirMetadata, detail: "skipped by name"})
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := r.bufReader(f)
	head, _ := br.Peek(4096)
	switch {
	case bytes.HasPrefix(head, []byte("From ")):
		return r.readMbox(path, br)
	case strings.EqualFold(filepath.Ext(path), ".csv"):
		return readCSV(path, br, r.emit)
	case !mail.LooksLikeMessage(head):
		r.emit(&item{src: path, skip: SkipNotMail, detail: "the first line is not a mail header field"})
		return nil
	}
	if st, err := f.Stat(); err == nil && st.Size() > int64(r.lim.MaxMessageBytes) {
		r.emit(&item{src: path, skip: SkipTooLarge, detail: fmt.Sprintf("%d octets, more than %d", st.Size(), r.lim.MaxMessageBytes)})
		return nil
	}
	raw := getRaw()
	buf := bytes.NewBuffer(*raw)
	// One octet past the cap lets Parse tell "too large" from "at the cap".
	_, err = buf.ReadFrom(io.LimitReader(br, int64(r.lim.MaxMessageBytes)+1))
	*raw = buf.Bytes()
	if err != nil {
		putRaw(raw)
		return err
	}
	r.emit(&item{src: path, raw: raw})
	return nil
}

// readMbox splits an mboxo/mboxrd file on "From " lines and undoes ">From "
// quoting; CRLF line ends are tolerated.
func (r *reader) readMbox(path string, br *bufio.Reader) error {
	n := 0
	var cur *[]byte
	flush := func() bool {
		if cur == nil {
			return true
		}
		n++
		it := &item{src: fmt.Sprintf("%s#%d", path, n), raw: cur}
		cur = nil
		return r.emit(it)
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
				cur = getRaw()
			} else if cur != nil {
				if unq := bytes.TrimLeft(line, ">"); len(unq) < len(line) && bytes.HasPrefix(unq, []byte("From ")) {
					line = line[1:]
				}
				// Past the cap the message will be refused anyway; stop
				// growing it so one huge mbox entry cannot exhaust memory.
				if len(*cur) <= r.lim.MaxMessageBytes {
					*cur = append(*cur, line...)
				}
			}
		}
		if err == io.EOF {
			flush()
			return nil
		}
		if err != nil {
			if cur != nil {
				putRaw(cur)
			}
			return err
		}
	}
}
