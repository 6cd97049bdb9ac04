package metrics

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/testneeds"
)

// The example dashboard and alert rules shipped in docs/ must query what
// misend exports: a renamed metric would leave an operator with an empty
// panel or an alert that never fires.

const (
	dashboardPath = "../../docs/grafana/misend.json"
	alertsPath    = "../../docs/prometheus/misend-alerts.yml"
	alertsTest    = "../../docs/prometheus/misend-alerts_test.yml"
)

// registered names every metric New registers, by its descriptors (a
// vector with no children yet is described, though not gathered).
func registered(t *testing.T) map[string]bool {
	t.Helper()
	q, err := queue.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m := New(q)
	ch := make(chan *prometheus.Desc)
	go func() { m.Registry.Describe(ch); close(ch) }()
	fq := regexp.MustCompile(`fqName: "([^"]+)"`)
	names := map[string]bool{}
	for d := range ch {
		if s := fq.FindStringSubmatch(d.String()); s != nil {
			names[s[1]] = true
		}
	}
	if !names["misend_messages_total"] || !names["go_goroutines"] {
		t.Fatalf("descriptors not read: %v", names)
	}
	return names
}

var (
	promString   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`")
	promMatchers = regexp.MustCompile(`\{[^}]*\}`)
	promRanges   = regexp.MustCompile(`\[[^\]]*\]`)
	promGrouping = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promIdent    = regexp.MustCompile(`\$?[A-Za-z_:][A-Za-z0-9_:]*\s*\(?`)
	promKeywords = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true, "by": true, "without": true,
		"on": true, "ignoring": true, "group_left": true, "group_right": true, "inf": true, "nan": true}
)

// metricNames returns the metric names a PromQL expression reads:
// identifiers that are not functions, keywords, label names, strings or
// dashboard variables.
func metricNames(expr string) []string {
	e := promString.ReplaceAllString(expr, `""`)
	e = promMatchers.ReplaceAllString(e, " ")
	e = promRanges.ReplaceAllString(e, " ")
	e = promGrouping.ReplaceAllString(e, " ")
	var out []string
	for _, id := range promIdent.FindAllString(e, -1) {
		id = strings.TrimSpace(id)
		switch {
		case strings.HasSuffix(id, "("), strings.HasPrefix(id, "$"), promKeywords[strings.ToLower(id)]:
			continue
		}
		out = append(out, id)
	}
	return out
}

func TestMetricNames(t *testing.T) {
	for _, tt := range []struct {
		expr string
		want string
	}{
		{`sum by (verdict) (rate(misend_messages_total{instance=~"$instance"}[$__rate_interval]))`, "misend_messages_total"},
		{`histogram_quantile(0.99, sum by (instance, le) (rate(misend_decision_seconds_bucket[5m]))) > 2`, "misend_decision_seconds_bucket"},
		{`max(misend_model_journal_position) - min(misend_model_journal_position) > 10000`, "misend_model_journal_position,misend_model_journal_position"},
		{`increase(a_total{kind="by (x) and"}[1h]) > 0 or b_total unless on (instance) c`, "a_total,b_total,c"},
		{`up{job="misend"} == 0`, "up"},
	} {
		if got := strings.Join(metricNames(tt.expr), ","); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.expr, got, tt.want)
		}
	}
}

// known reports whether name is one misend exports (a histogram's series
// carry _bucket, _sum and _count), or Prometheus's own up.
func known(names map[string]bool, name string) bool {
	if name == "up" || names[name] {
		return true
	}
	for _, suf := range []string{"_bucket", "_sum", "_count"} {
		if b, ok := strings.CutSuffix(name, suf); ok && names[b] {
			return true
		}
	}
	return false
}

func TestDashboardQueriesExportedMetrics(t *testing.T) {
	b, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("%s: %v", dashboardPath, err)
	}
	names := registered(t)
	used := map[string]bool{}
	queries := 0
	for _, p := range dash.Panels {
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("panel %q queries nothing", p.Title)
		}
		for _, tg := range p.Targets {
			queries++
			ms := metricNames(tg.Expr)
			if len(ms) == 0 {
				t.Errorf("panel %q: %q reads no metric", p.Title, tg.Expr)
			}
			for _, m := range ms {
				used[m] = true
				if !known(names, m) || m == "up" {
					t.Errorf("panel %q queries %s, which misend does not export", p.Title, m)
				}
			}
		}
	}
	for _, v := range dash.Templating.List {
		for _, m := range metricNames(strings.TrimPrefix(strings.TrimSuffix(v.Definition, ")"), "label_values(")) {
			if m != "instance" && !known(names, m) {
				t.Errorf("variable queries %s, which misend does not export", m)
			}
		}
	}
	if queries < 20 {
		t.Errorf("only %d queries read", queries)
	}
	// Each of misend's own metrics is on the dashboard somewhere, so a
	// new one is not forgotten.
	var missing []string
	for n := range names {
		if strings.HasPrefix(n, "misend_") && !used[n] && !used[n+"_bucket"] && !used[n+"_count"] {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("metrics on no panel of %s: %v", filepath.Base(dashboardPath), missing)
	}
}

// alertExprs reads the expr lines of the rules file; every expression in
// it is written on one line.
func alertExprs(t *testing.T) []string {
	b, err := os.ReadFile(alertsPath)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if e, ok := strings.CutPrefix(strings.TrimSpace(line), "expr:"); ok {
			out = append(out, strings.TrimSpace(e))
		}
	}
	return out
}

func TestAlertRulesUseExportedMetrics(t *testing.T) {
	names := registered(t)
	exprs := alertExprs(t)
	if len(exprs) < 10 {
		t.Fatalf("%d alert expressions read", len(exprs))
	}
	for _, e := range exprs {
		for _, m := range metricNames(e) {
			if !known(names, m) {
				t.Errorf("alert %q reads %s, which misend does not export", e, m)
			}
		}
	}
}

// promtool (Debian's prometheus package; integration/install-servers.sh
// installs it) checks the rules' syntax and runs their unit tests: the
// alerts fire on the series misend writes and stay quiet otherwise.
func TestAlertRulesPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		testneeds.Missing(t, "promtool", "%v (apt-get install prometheus)", err)
		return
	}
	for _, args := range [][]string{{"check", "rules", filepath.Base(alertsPath)}, {"test", "rules", filepath.Base(alertsTest)}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = filepath.Dir(alertsPath)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
