// Package metrics exposes misend's Prometheus metrics and the /metrics,
// /healthz and /readyz endpoints. It only counts; it decides nothing.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/misend/misend/internal/queue"
)

// Metrics holds misend's counters in their own registry.
type Metrics struct {
	Registry       *prometheus.Registry
	Verdicts       *prometheus.CounterVec // by verdict
	UpstreamErrors *prometheus.CounterVec // by kind: temporary, permanent
	DecideSeconds  prometheus.Histogram
}

// New registers the metrics; q, if not nil, is exported as queue depth by
// state and possible duplicates.
func New(q *queue.Queue) *Metrics {
	m := &Metrics{
		Registry:       prometheus.NewRegistry(),
		Verdicts:       prometheus.NewCounterVec(prometheus.CounterOpts{Name: "misend_messages_total", Help: "Messages decided, by verdict."}, []string{"verdict"}),
		UpstreamErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "misend_upstream_errors_total", Help: "Failed deliveries upstream, by kind."}, []string{"kind"}),
		DecideSeconds:  prometheus.NewHistogram(prometheus.HistogramOpts{Name: "misend_decision_seconds", Help: "Time to decide on one message.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
	}
	m.Registry.MustRegister(m.Verdicts, m.UpstreamErrors, m.DecideSeconds, collectors.NewGoCollector())
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
