// Package metrics exposes misend's Prometheus metrics and the /metrics,
// /healthz and /readyz endpoints. It only counts; it decides nothing.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/queue"
)

// Metrics holds misend's counters in their own registry.
type Metrics struct {
	Registry       *prometheus.Registry
	Verdicts       *prometheus.CounterVec // by verdict carried out
	Decided        *prometheus.CounterVec // by verdict the rules gave and shadow flag
	Findings       *prometheus.CounterVec // by finding code
	FailSafe       prometheus.Counter     // decisions made by the fail-safe rule
	UpstreamErrors *prometheus.CounterVec // by kind: temporary, permanent
	Delivered      prometheus.Counter
	Uncertain      prometheus.Counter     // failed attempts the upstream may have taken anyway
	CutThrough     *prometheus.CounterVec // by outcome: delivered, spooled
	Repeated       prometheus.Counter     // messages a client sent again after we took them
	DecideSeconds  prometheus.Histogram
	Notices        prometheus.Counter     // notices queued
	NoticeErrors   prometheus.Counter     // notices that could not be queued
	HeldActions    *prometheus.CounterVec // by action on waiting mail
	Learned        *prometheus.CounterVec // by outcome: learned, duplicate, unparsed, dropped
	Journal        *prometheus.CounterVec // by kind: appended, applied, dropped
	JournalAt      prometheus.Gauge       // journal position the model has learned up to
	// The SIEM export, by destination (siem.Sink.Name: kind and address).
	SIEMEvents   *prometheus.CounterVec // events a destination took
	SIEMFailures *prometheus.CounterVec // export rounds that failed
	SIEMFailing  *prometheus.GaugeVec   // 1 while a destination's last round failed
	// Retention, by kind of record (retention.Swept's names).
	RetentionDeleted *prometheus.CounterVec // records the sweeps deleted
	RetentionSweeps  *prometheus.CounterVec // sweeps, by outcome: ok, failed
	Stamps           *prometheus.CounterVec // confirmation stamps, by outcome
}

// New registers the metrics; q, if not nil, is exported as queue depth by
// state and possible duplicates.
func New(q *queue.Queue) *Metrics {
	m := &Metrics{
		Registry:         prometheus.NewRegistry(),
		Verdicts:         prometheus.NewCounterVec(prometheus.CounterOpts{Name: "misend_messages_total", Help: "Messages decided, by verdict."}, []string{"verdict"}),
		UpstreamErrors:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "misend_upstream_errors_total", Help: "Failed deliveries upstream, by kind."}, []string{"kind"}),
		DecideSeconds:    prometheus.NewHistogram(prometheus.HistogramOpts{Name: "misend_decision_seconds", Help: "Time to decide on one message.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
		Decided:          prometheus.NewCounterVec(prometheus.CounterOpts{Name: "misend_decided_total", Help: "Messages decided, by the verdict the rules gave and whether the department runs in shadow mode."}, []string{"decided", "shadow"}),
		Findings:         prometheus.NewCounterVec(prometheus.CounterOpts{Name: "misend_findings_total", Help: "Findings on decided messages, by code."}, []string{"code"}),
		FailSafe:         prometheus.NewCounter(prometheus.CounterOpts{Name: "misend_fail_safe_total", Help: "Messages decided by the fail-safe verdict because detection failed or timed out."}),
		Delivered:        prometheus.NewCounter(prometheus.CounterOpts{Name: "misend_delivered_total", Help: "Messages accepted by the upstream."}),
		Uncertain:        prometheus.NewCounter(prometheus.CounterOpts{Name: "misend_uncertain_deliveries_total", Help: "Delivery attempts that failed after the whole message went out and before the upstream answered; the next attempt may deliver it twice."}),
		CutThrough:       prometheus.NewCounterVec(prometheus.CounterOpts{Name: "misend_cut_through_total", Help: "Passing messages sent upstream before the client was answered, by outcome: delivered, or spooled (upstream failed, busy or resting)."}, []string{"outcome"}),
		Repeated:         prometheus.NewCounter(prometheus.CounterOpts{Name: "misend_repeated_messages_total", Help: "Messages a client sent again with the Message-ID and envelope of one taken in the last two hours, also before a restart: it never heard the 250, so the message is delivered twice."}),
		Notices:          prometheus.NewCounter(prometheus.CounterOpts{Name: "misend_notices_total", Help: "Notices to senders and approvers queued."}),
		NoticeErrors:     prometheus.NewCounter(prometheus.CounterOpts{Name: "misend_notice_errors_total", Help: "Notices that could not be sent."}),
		HeldActions:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "misend_held_actions_total", Help: "Actions on waiting mail, by action."}, []string{"action"}),
		Learned:          prometheus.NewCounterVec(prometheus.CounterOpts{Name: "misend_learned_total", Help: "Messages offered to the model after they left, by outcome."}, []string{"outcome"}),
		Journal:          prometheus.NewCounterVec(prometheus.CounterOpts{Name: "misend_model_journal_total", Help: "Observations shared with other replicas through the journal, by kind: appended (learned here), applied (learned by others), dropped (not appended while the database was away)."}, []string{"kind"}),
		JournalAt:        prometheus.NewGauge(prometheus.GaugeOpts{Name: "misend_model_journal_position", Help: "How far into the shared journal this replica's model has learned; replicas far apart are not learning from each other."}),
		SIEMEvents:       prometheus.NewCounterVec(prometheus.CounterOpts{Name: "misend_siem_events_total", Help: "Decisions and audit entries a SIEM destination took, by destination."}, []string{"sink"}),
		SIEMFailures:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "misend_siem_failures_total", Help: "SIEM export rounds that failed, by destination; the events wait in the database."}, []string{"sink"}),
		SIEMFailing:      prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "misend_siem_failing", Help: "1 while the last export round to a SIEM destination failed, else 0."}, []string{"sink"}),
		RetentionDeleted: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "misend_retention_deleted_total", Help: "Records the retention sweep deleted, by kind."}, []string{"kind"}),
		Stamps:           prometheus.NewCounterVec(prometheus.CounterOpts{Name: "misend_confirmation_stamps_total", Help: "Confirmation stamps from mail-client add-ins on decided messages, by outcome: valid, or ignored as forged, expired, sender (another sender's), message (another message's), date (the message's Date outside its time) or malformed."}, []string{"outcome"}),
		RetentionSweeps:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "misend_retention_sweeps_total", Help: "Retention sweeps, by outcome: ok or failed."}, []string{"outcome"}),
	}
	m.Registry.MustRegister(m.Verdicts, m.Decided, m.Findings, m.FailSafe, m.UpstreamErrors, m.Delivered, m.Uncertain, m.CutThrough, m.Repeated, m.DecideSeconds,
		m.Notices, m.NoticeErrors, m.HeldActions, m.Learned, m.Journal, m.JournalAt, m.SIEMEvents, m.SIEMFailures, m.SIEMFailing,
		m.RetentionDeleted, m.RetentionSweeps, m.Stamps, collectors.NewGoCollector())
	if q != nil {
		m.Registry.MustRegister(queueCollector{q})
	}
	return m
}

var (
	depthDesc = prometheus.NewDesc("misend_queue_messages", "Messages in the spool, by state.", []string{"state"}, nil)
	dupDesc   = prometheus.NewDesc("misend_possible_duplicates", "Messages in flight at a crash, so perhaps delivered twice.", nil, nil)
)

type queueCollector struct{ q *queue.Queue }

func (c queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- depthDesc; ch <- dupDesc }
func (c queueCollector) Collect(ch chan<- prometheus.Metric) {
	for s, n := range c.q.Depth() {
		ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(n), string(s))
	}
	ch <- prometheus.MustNewConstMetric(dupDesc, prometheus.GaugeValue, float64(c.q.PossibleDuplicates()))
}

// ObserveDecision counts one decision: its verdict, the verdict the rules
// gave (they differ in shadow mode), each finding code, whether it was
// fail-safe, what became of its confirmation stamps, and how long it took.
func (m *Metrics) ObserveDecision(took time.Duration, res decide.Result) {
	m.DecideSeconds.Observe(took.Seconds())
	m.Verdicts.WithLabelValues(string(res.Decision.Verdict)).Inc()
	decided := res.Decision.Decided
	if decided == "" {
		decided = res.Decision.Verdict
	}
	m.Decided.WithLabelValues(string(decided), strconv.FormatBool(res.Decision.Shadow)).Inc()
	for _, f := range res.Findings {
		m.Findings.WithLabelValues(string(f.Code)).Inc()
	}
	if res.Err != nil || res.Decision.Rule == "fail-safe" {
		m.FailSafe.Inc()
	}
	for _, outcome := range res.Stamps {
		m.Stamps.WithLabelValues(outcome).Inc()
	}
}

// ObserveSIEM counts one export round to a SIEM destination (for
// siem.Exporter.Observe).
func (m *Metrics) ObserveSIEM(sink string, sent int, err error) {
	m.SIEMEvents.WithLabelValues(sink).Add(float64(sent))
	failing := 0.0
	if err != nil {
		m.SIEMFailures.WithLabelValues(sink).Inc()
		failing = 1
	}
	m.SIEMFailing.WithLabelValues(sink).Set(failing)
}

// ObserveRetention counts one retention sweep: the records deleted by
// kind, and whether it failed.
func (m *Metrics) ObserveRetention(deleted map[string]int64, err error) {
	for k, n := range deleted {
		m.RetentionDeleted.WithLabelValues(k).Add(float64(n))
	}
	outcome := "ok"
	if err != nil {
		outcome = "failed"
	}
	m.RetentionSweeps.WithLabelValues(outcome).Inc()
}

// Handler serves /metrics, /healthz and /readyz; ready reports whether the
// gateway accepts mail.
func (m *Metrics) Handler(ready func() bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if ready != nil && !ready() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	return mux
}
