package eval

import (
	"slices"
	"strings"
	"time"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
)

// Dedupe keeps one copy of each message (by Message-ID, or by sender, date,
// subject and recipients without one, as the model counts them), in the
// order of first appearance. An organisation's mailboxes hold every
// internal message several times, in the sender's Sent folder and in each
// recipient's Inbox; scoring every copy would test a message again after
// the model learned it. Of the copies, the one naming the most recipients
// is kept: the sender's copy, the only one that shows Bcc.
func Dedupe(msgs []*mail.Message) []*mail.Message {
	d := copies{at: make(map[uint64]int, len(msgs)), msgs: make([]*mail.Message, 0, len(msgs))}
	for _, m := range msgs {
		d.add(m)
	}
	return d.msgs
}

// copies is Dedupe one message at a time: msgs holds one copy of each
// message added, n how many copies were left out.
type copies struct {
	at   map[uint64]int // model.MessageKey → its message in msgs
	msgs []*mail.Message
	n    int
}

func (d *copies) add(m *mail.Message) {
	if d.at == nil {
		d.at = map[uint64]int{}
	}
	k := model.MessageKey(m)
	i, dup := d.at[k]
	if !dup {
		d.at[k] = len(d.msgs)
		d.msgs = append(d.msgs, m)
		return
	}
	d.n++
	if len(m.Recipients()) > len(d.msgs[i].Recipients()) {
		d.msgs[i] = m
	}
}

// SortByDate orders msgs by Date, oldest first, keeping the input order of
// equal dates; messages without a Date come first, since their place in time
// is unknown and history is the only safe place for them.
func SortByDate(msgs []*mail.Message) {
	slices.SortStableFunc(msgs, func(a, b *mail.Message) int { return a.Date.Compare(b.Date) })
}

// Split sorts msgs by date and returns the first frac of the dated messages,
// plus every message without a Date, as history, and the rest as test.
// frac is clamped to [0,1].
func Split(msgs []*mail.Message, frac float64) (history, test []*mail.Message) {
	msgs = slices.Clone(msgs)
	SortByDate(msgs)
	undated := 0
	for undated < len(msgs) && msgs[undated].Date.IsZero() {
		undated++
	}
	frac = min(max(frac, 0), 1)
	cut := undated + int(frac*float64(len(msgs)-undated)+0.5)
	cut = min(cut, len(msgs))
	return msgs[:cut], msgs[cut:]
}

// SplitAt sorts msgs by date and returns those dated before at, plus every
// message without a Date, as history, and the rest as test.
func SplitAt(msgs []*mail.Message, at time.Time) (history, test []*mail.Message) {
	msgs = slices.Clone(msgs)
	SortByDate(msgs)
	cut, _ := slices.BinarySearchFunc(msgs, at, func(m *mail.Message, t time.Time) int {
		if m.Date.IsZero() {
			return -1
		}
		return m.Date.Compare(t)
	})
	return msgs[:cut], msgs[cut:]
}

// FitFrom returns the date from which the last share (0..1) of history's
// dated messages lie: the start of the fit window. Zero when share is 0
// or history has no dates.
func FitFrom(history []*mail.Message, share float64) time.Time {
	var dated []time.Time
	for _, m := range history {
		if !m.Date.IsZero() {
			dated = append(dated, m.Date)
		}
	}
	return windowStart(dated, share, len(dated))
}

// orgDomains tells insider addresses from outsiders.
type orgDomains []string

// has reports whether addr belongs to one of the domains or a subdomain.
func (o orgDomains) has(addr string) bool {
	dom := domainOf(addr)
	for _, d := range o {
		if dom == d || strings.HasSuffix(dom, "."+d) {
			return true
		}
	}
	return false
}

// isTestMessage reports whether msg is one misend would check: sent by an
// insider, with at least one recipient and a Date to score it at.
func (o orgDomains) isTestMessage(msg *mail.Message) bool {
	return !msg.Date.IsZero() && o.has(msg.From.Addr) && len(msg.Recipients()) > 0
}

func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(addr[i+1:])
}

func localOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return addr
	}
	return addr[:i]
}

// MostCommonSenderDomain returns the From domain that sent the most messages
// (ties go to the alphabetically first), or "" for no messages. It is the
// guess at the organisation when none was given.
func MostCommonSenderDomain(msgs []*mail.Message) string {
	n := map[string]int{}
	for _, m := range msgs {
		if d := domainOf(m.From.Addr); d != "" {
			n[d]++
		}
	}
	best := ""
	for d, c := range n {
		if c > n[best] || (c == n[best] && d < best) {
			best = d
		}
	}
	return best
}
