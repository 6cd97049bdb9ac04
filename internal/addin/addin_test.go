package addin

import (
	"bytes"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, h http.Handler, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, "http://misend.test"+path, nil))
	return w
}

func TestServesConfiguredHandler(t *testing.T) {
	h, err := New(Options{PublicURL: "https://misend.corp.example/", SendMode: Block, Timeout: 2 * time.Second, SSO: true, Lang: "ja"})
	if err != nil {
		t.Fatal(err)
	}
	w := get(t, h, "GET", OutlookPrefix+"launchevent.js")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("launchevent.js: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	m := regexp.MustCompile(`(?m)^var MISEND_CONFIG = (.*); // misend:config$`).FindSubmatch(w.Body.Bytes())
	if m == nil {
		t.Fatal("no config line in the served script")
	}
	var c Config
	if err := json.Unmarshal(m[1], &c); err != nil {
		t.Fatal(err)
	}
	want := Config{API: "https://misend.corp.example", SendMode: "block", TimeoutMs: 2000, SSO: true, Lang: "ja"}
	if c != want {
		t.Fatalf("config %+v, want %+v", c, want)
	}
	if bytes.Contains(w.Body.Bytes(), []byte("import ")) || bytes.Contains(w.Body.Bytes(), []byte("export ")) {
		t.Error("the handler must be a classic script: no imports or exports")
	}
	if node, err := exec.LookPath("node"); err == nil {
		f := filepath.Join(t.TempDir(), "launchevent.js")
		os.WriteFile(f, w.Body.Bytes(), 0o600)
		if out, err := exec.Command(node, "--check", f).CombinedOutput(); err != nil {
			t.Fatalf("served script does not parse: %v\n%s", err, out)
		}
	}
}

func TestOriginWithoutPublicURL(t *testing.T) {
	h, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := h.Config("http://misend.test")
	if c.API != "http://misend.test" || c.SendMode != SoftBlock || c.TimeoutMs != DefaultTimeout.Milliseconds() || c.Lang != "en" {
		t.Fatalf("defaults: %+v", c)
	}
	body := get(t, h, "GET", OutlookPrefix+"launchevent.js").Body.String()
	if !strings.Contains(body, `"api":"http://misend.test"`) {
		t.Fatal("origin not used when no public URL is configured")
	}
}

func TestCommandsPageLoadsOfficeFromMicrosoft(t *testing.T) {
	h, _ := New(Options{})
	w := get(t, h, "GET", OutlookPrefix+"commands.html")
	if w.Code != 200 {
		t.Fatal(w.Code)
	}
	b := w.Body.String()
	if !strings.Contains(b, `src="https://appsforoffice.microsoft.com/lib/1/hosted/office.js"`) || !strings.Contains(b, `src="launchevent.js"`) {
		t.Fatalf("commands.html: %s", b)
	}
	csp := w.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self' https://appsforoffice.microsoft.com;") || !strings.Contains(csp, "frame-ancestors 'self' https://*.office.com") {
		t.Fatalf("CSP %q", csp)
	}
}

func TestIcons(t *testing.T) {
	h, _ := New(Options{})
	for _, n := range IconSizes {
		w := get(t, h, "GET", OutlookPrefix+"icon-"+itoa(n)+".png")
		img, err := png.Decode(w.Body)
		if err != nil || img.Bounds().Dx() != n {
			t.Fatalf("icon %d: %v", n, err)
		}
	}
}

func TestRefusals(t *testing.T) {
	h, _ := New(Options{})
	for _, p := range []string{OutlookPrefix, OutlookPrefix + "../addin.go", OutlookPrefix + "x/launchevent.js", OutlookPrefix + "nothing.js", "/addin/other/launchevent.js"} {
		if w := get(t, h, "GET", p); w.Code != 404 {
			t.Errorf("%s: %d", p, w.Code)
		}
	}
	if w := get(t, h, "POST", OutlookPrefix+"launchevent.js"); w.Code != 405 {
		t.Errorf("POST: %d", w.Code)
	}
	for _, o := range []Options{{SendMode: "Block"}, {Timeout: 6 * time.Second}, {Lang: "fr"}, {PublicURL: "ftp://x"}} {
		if _, err := New(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestTaskPane(t *testing.T) {
	h, _ := New(Options{})
	w := get(t, h, "GET", OutlookPrefix+"taskpane.html")
	b := w.Body.String()
	if w.Code != 200 || !strings.Contains(b, `src="launchevent.js"`) || !strings.Contains(b, `src="taskpane.js"`) || !strings.Contains(b, `href="taskpane.css"`) {
		t.Fatalf("taskpane.html: %d\n%s", w.Code, b)
	}
	if regexp.MustCompile(`<script>`).MatchString(b) {
		t.Error("no inline scripts: the page's CSP allows only files")
	}
	for _, f := range []string{"taskpane.js", "taskpane.css"} {
		if w := get(t, h, "GET", OutlookPrefix+f); w.Code != 200 || w.Body.Len() == 0 {
			t.Errorf("%s: %d", f, w.Code)
		}
	}
	js := get(t, h, "GET", OutlookPrefix+"taskpane.js").Body.String()
	if strings.Contains(js, "innerHTML") {
		t.Error("the pane writes findings as text, never as HTML")
	}
}

// Classic Outlook on Windows finds the Send handler it may run with
// single sign-on and cross-origin calls on the add-in's origin.
func TestWellKnownAllowsTheHandler(t *testing.T) {
	for _, tt := range []struct{ public, want string }{
		{"https://misend.corp.example/", `{"allowed":["https://misend.corp.example/addin/outlook/launchevent.js"]}`},
		{"", `{"allowed":["http://misend.test/addin/outlook/launchevent.js"]}`},
	} {
		h, err := New(Options{PublicURL: tt.public})
		if err != nil {
			t.Fatal(err)
		}
		w := get(t, h.WellKnown(), "GET", WellKnownPath)
		if w.Code != 200 || strings.TrimSpace(w.Body.String()) != tt.want || w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%q: %d %s", tt.public, w.Code, w.Body)
		}
		if w := get(t, h.WellKnown(), "POST", WellKnownPath); w.Code != http.StatusMethodNotAllowed {
			t.Errorf("POST: %d", w.Code)
		}
	}
}
