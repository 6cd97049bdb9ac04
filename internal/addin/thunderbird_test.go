package addin

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// manifestOf reads manifest.json out of an .xpi.
func manifestOf(t *testing.T, xpi []byte) thunderbirdManifest {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(xpi), int64(len(xpi)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	f, err := z.Open("manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var m thunderbirdManifest
	b, _ := io.ReadAll(f)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestThunderbirdServesXPI(t *testing.T) {
	tests := []struct {
		name   string
		public string
		want   string
		base   string
		cache  string
	}{
		{"public URL", "https://misend.corp.example", "https://misend.corp.example/*", "https://misend.corp.example", "public, max-age=300"},
		{"origin", "", "http://misend.test/*", "http://misend.test", "no-store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewThunderbird(Thunderbird{PublicURL: tt.public, SendMode: Block, Version: "2.3.4"})
			if err != nil {
				t.Fatal(err)
			}
			w := get(t, h, "GET", ThunderbirdPrefix+"misend.xpi")
			if w.Code != 200 || w.Header().Get("Content-Type") != "application/x-xpinstall" || w.Header().Get("Cache-Control") != tt.cache {
				t.Fatalf("%d %v", w.Code, w.Header())
			}
			m := manifestOf(t, w.Body.Bytes())
			if want := []string{"compose", "storage", tt.want}; !slices.Equal(m.Permissions, want) {
				t.Errorf("permissions %q, want %q", m.Permissions, want)
			}
			if want := tt.base + "/addin/thunderbird/updates.json"; m.Settings.Gecko.UpdateURL != want {
				t.Errorf("update_url %q, want %q", m.Settings.Gecko.UpdateURL, want)
			}
			u := get(t, h, "GET", ThunderbirdPrefix+"updates.json")
			var up struct {
				Addons map[string]struct {
					Updates []struct {
						Version    string `json:"version"`
						UpdateLink string `json:"update_link"`
					} `json:"updates"`
				} `json:"addons"`
			}
			if err := json.Unmarshal(u.Body.Bytes(), &up); err != nil || u.Code != 200 {
				t.Fatalf("updates.json: %d %v", u.Code, err)
			}
			got := up.Addons[m.Settings.Gecko.ID].Updates
			if len(got) != 1 || got[0].Version != "2.3.4" || got[0].UpdateLink != tt.base+"/addin/thunderbird/misend.xpi" {
				t.Errorf("updates.json: %s", u.Body)
			}
		})
	}
}

func TestThunderbirdPages(t *testing.T) {
	h, err := NewThunderbird(Thunderbird{})
	if err != nil {
		t.Fatal(err)
	}
	w := get(t, h, "GET", ThunderbirdPrefix+"popup.html")
	b := w.Body.String()
	if w.Code != 200 || !strings.Contains(b, `src="check.js"`) || !strings.Contains(b, `src="popup.js"`) {
		t.Fatalf("popup.html: %d\n%s", w.Code, b)
	}
	if regexp.MustCompile(`<script>`).MatchString(b) {
		t.Error("no inline scripts: the page's CSP and Thunderbird's allow only files")
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	node, _ := exec.LookPath("node")
	for _, f := range []string{"popup.js", "check.js", "popup.css"} {
		w := get(t, h, "GET", ThunderbirdPrefix+f)
		if w.Code != 200 || w.Body.Len() == 0 {
			t.Fatalf("%s: %d", f, w.Code)
		}
		if strings.HasSuffix(f, ".js") {
			if strings.Contains(w.Body.String(), "innerHTML") {
				t.Errorf("%s: findings are written as text, never as HTML", f)
			}
			if node != "" {
				p := filepath.Join(t.TempDir(), f)
				os.WriteFile(p, w.Body.Bytes(), 0o600)
				if out, err := exec.Command(node, "--check", p).CombinedOutput(); err != nil {
					t.Errorf("%s does not parse: %v\n%s", f, err, out)
				}
			}
		}
	}
}

func TestThunderbirdRefusals(t *testing.T) {
	h, _ := NewThunderbird(Thunderbird{})
	for _, p := range []string{ThunderbirdPrefix, ThunderbirdPrefix + "background.js", ThunderbirdPrefix + "config.js", ThunderbirdPrefix + "manifest.json",
		ThunderbirdPrefix + "_locales/ja/messages.json", ThunderbirdPrefix + "../addin.go", OutlookPrefix + "popup.html"} {
		if w := get(t, h, "GET", p); w.Code != 404 {
			t.Errorf("%s: %d", p, w.Code)
		}
	}
	if w := get(t, h, "POST", ThunderbirdPrefix+"misend.xpi"); w.Code != 405 {
		t.Errorf("POST: %d", w.Code)
	}
	for _, o := range []Thunderbird{{SendMode: "Block"}, {Lang: "fr"}, {PublicURL: "ftp://x.example"}, {PublicURL: "https://u:p@x.example"},
		{PublicURL: "https://x.example/?q=1"}, {ID: "not an id"}, {Version: "1.0.0-beta"}, {InsideDomains: []string{"corp example"}}, {Timeout: 1}} {
		if _, err := NewThunderbird(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

// The same options build the same .xpi, byte for byte: a rebuilt add-in
// is not a new version to Thunderbird unless something changed.
func TestThunderbirdXPIReproducible(t *testing.T) {
	build := func() []byte {
		var b bytes.Buffer
		if err := (Thunderbird{PublicURL: "https://misend.corp.example", InsideDomains: []string{"Corp.Example"}}).XPI(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a, b := build(), build()
	if !bytes.Equal(a, b) {
		t.Error("two builds differ")
	}
	if m := manifestOf(t, a); m.Settings.Gecko.ID != "misend@misend.corp.example" || m.Settings.Gecko.MinVersion != ThunderbirdMinVersion {
		t.Errorf("manifest %+v", m)
	}
}

// TestThunderbirdXPIBuiltOnce: misend.xpi is built once per settings and
// served from then on; a download for another Host gets its own build,
// never another's, and Hosts a client makes up do not grow the cache
// without bound.
func TestThunderbirdXPIBuiltOnce(t *testing.T) {
	download := func(h *ThunderbirdHandler, host string) []byte {
		t.Helper()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "http://"+host+ThunderbirdPrefix+"misend.xpi", nil))
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", host, w.Code, w.Body)
		}
		return w.Body.Bytes()
	}
	public, err := NewThunderbird(Thunderbird{PublicURL: "https://misend.corp.example"})
	if err != nil {
		t.Fatal(err)
	}
	a, b := download(public, "x.test"), download(public, "y.test")
	if !bytes.Equal(a, b) || public.builds != 1 {
		t.Errorf("with a public URL: %d builds, same bytes %v; want 1, true", public.builds, bytes.Equal(a, b))
	}

	byHost, err := NewThunderbird(Thunderbird{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		host       string
		builds     int
		permission string
	}{
		{"one.test", 1, "http://one.test/*"},
		{"one.test", 1, "http://one.test/*"},
		{"two.test", 2, "http://two.test/*"},
		{"one.test", 2, "http://one.test/*"},
	} {
		m := manifestOf(t, download(byHost, tt.host))
		if byHost.builds != tt.builds || !slices.Contains(m.Permissions, tt.permission) {
			t.Errorf("%s: %d builds, permissions %q; want %d, %q", tt.host, byHost.builds, m.Permissions, tt.builds, tt.permission)
		}
	}
	for i := range 3 * maxXPIs {
		download(byHost, fmt.Sprintf("h%d.test", i))
	}
	if n := len(byHost.xpis); n > maxXPIs {
		t.Errorf("%d builds kept, at most %d", n, maxXPIs)
	}
}
