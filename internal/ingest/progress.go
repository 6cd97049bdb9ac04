package ingest

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress draws a one-line counter, at most every 200 ms, and only when w is
// a terminal: a log file or pipe must not fill with carriage returns.
type progress struct {
	w     io.Writer
	total int
	last  time.Time
}

func newProgress(w io.Writer, totalFiles int) *progress {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return &progress{w: w, total: totalFiles}
}

func (p *progress) update(msgs, skipped int, final bool) {
	if p == nil {
		return
	}
	now := time.Now()
	if !final && now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	fmt.Fprintf(p.w, "\r%d files, %d messages, %d skipped", p.total, msgs, skipped)
	if final {
		fmt.Fprintln(p.w)
	}
}
