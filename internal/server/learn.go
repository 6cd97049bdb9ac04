package server

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/metrics"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/queue"
)

// learner teaches the model from mail that left, off the answer and
// delivery paths: jobs wait in a bounded channel and one goroutine parses
// and learns. When the channel is full the message is not learned (and
// counted): learning is worth less than a prompt answer to the MTA.
type learner struct {
	m     *model.Model
	met   *metrics.Metrics
	log   *slog.Logger
	dirty atomic.Bool
	// learned, when set, is told each observation learned (for the
	// other replicas).
	learned func(model.Observation)

	mu     sync.Mutex
	closed bool
	jobs   chan learnJob
	done   chan struct{}
}

type learnJob struct {
	env queue.Envelope
	raw []byte
	msg *mail.Message // parsed already (by the decision); raw is then nil
}

func newLearner(m *model.Model, met *metrics.Metrics, log *slog.Logger) *learner {
	return &learner{m: m, met: met, log: log, jobs: make(chan learnJob, 1024), done: make(chan struct{})}
}

// add queues raw for learning; raw is copied. msg, when not nil, is raw
// as the decision parsed it, and learning takes it over instead of
// parsing raw again: nobody else may change it afterwards.
func (l *learner) add(env queue.Envelope, raw []byte, msg *mail.Message) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	j := learnJob{env: queue.Envelope{From: env.From, To: append([]string(nil), env.To...)}, msg: msg}
	if msg == nil {
		j.raw = bytes.Clone(raw)
	}
	select {
	case l.jobs <- j:
	default:
		l.met.Learned.WithLabelValues("dropped").Inc()
	}
}

// learnLinger is how long the learner lets jobs gather after a batch: a
// busy stream is learned a batch at a time rather than with a wakeup of
// the learner for every message.
const learnLinger = 20 * time.Millisecond

func (l *learner) run() {
	defer close(l.done)
	for j := range l.jobs {
		l.learn(j)
		for range len(l.jobs) {
			j, ok := <-l.jobs
			if !ok {
				return
			}
			l.learn(j)
		}
		time.Sleep(learnLinger)
	}
}

// stop learns what is queued and ends run.
func (l *learner) stop() {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.jobs)
	}
	l.mu.Unlock()
	<-l.done
}

func (l *learner) learn(j learnJob) {
	msg := j.msg
	if msg == nil {
		var err error
		if msg, err = mail.Parse(bytes.NewReader(j.raw), mail.Limits{}); err != nil {
			l.met.Learned.WithLabelValues("unparsed").Inc()
			l.log.Debug("learn: parse", "err", err)
			return
		}
	}
	withEnvelope(msg, j.env)
	o := l.m.Observe(msg)
	if l.m.LearnObservation(&o) {
		l.dirty.Store(true)
		l.met.Learned.WithLabelValues("learned").Inc()
		if l.learned != nil {
			l.learned(o)
		}
	} else {
		l.met.Learned.WithLabelValues("duplicate").Inc()
	}
}

// withEnvelope makes the envelope count as the decision did: an envelope
// recipient absent from To and Cc was a Bcc recipient, and a message
// without From came from the envelope sender. The envelope is what was
// delivered: a header recipient not in it (one dropped before release) is
// not learned as a contact.
func withEnvelope(msg *mail.Message, env queue.Envelope) {
	if msg.From.Addr == "" && env.From != "" {
		msg.From = mail.Address{Addr: strings.ToLower(env.From)}
	}
	if len(env.To) == 0 {
		return
	}
	inEnv := make(map[string]bool, len(env.To))
	for _, r := range env.To {
		inEnv[strings.ToLower(r)] = true
	}
	keep := func(as []mail.Address) []mail.Address {
		out := as[:0]
		for _, a := range as {
			if inEnv[a.Addr] {
				out = append(out, a)
			}
		}
		return out
	}
	msg.To, msg.Cc, msg.Bcc = keep(msg.To), keep(msg.Cc), keep(msg.Bcc)
	seen := make(map[string]bool)
	for _, a := range msg.Recipients() {
		seen[a.Addr] = true
	}
	for _, r := range env.To {
		r = strings.ToLower(r)
		if r != "" && !seen[r] {
			seen[r] = true
			msg.Bcc = append(msg.Bcc, mail.Address{Addr: r})
		}
	}
}
