// Package addin serves misend's mail-client add-ins from misend's own
// origin and writes their manifests: the Outlook add-in (a Smart Alerts
// OnMessageSend handler and a task pane with the per-recipient checklist)
// under /addin/outlook/, and the Thunderbird add-in (an .xpi built for the
// public URL, thunderbird.go) under /addin/thunderbird/. Office.js itself
// is loaded from Microsoft's CDN, as Microsoft requires; everything else
// comes from here.
//
// The add-ins decide nothing: they send the draft to POST /api/v1/check,
// the gateway's own decision path, and show its answer. This package
// also turns Office single sign-on tokens into principals for the API
// (sso.go).
package addin

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"
)

// OutlookPrefix is where the Outlook add-in is served.
const OutlookPrefix = "/addin/outlook/"

// Send modes of the Outlook add-in, as the unified manifest spells them
// (the XML manifest capitalises the first letter).
const (
	PromptUser = "promptUser"
	SoftBlock  = "softBlock"
	Block      = "block"
)

// DefaultTimeout is how long the Smart Alerts handler waits for misend
// before it follows the send mode: well under the 5 s after which Outlook
// tells the sender the add-in is taking long.
const DefaultTimeout = 3500 * time.Millisecond

//go:embed static
var static embed.FS

// Options configure the served add-in.
type Options struct {
	// PublicURL is where people's mail clients reach misend
	// (https://misend.corp.example); the handler calls the API there.
	// Empty: the origin the add-in was loaded from.
	PublicURL string
	// SendMode is promptUser, softBlock (default) or block; it must be
	// the one in the deployed manifest.
	SendMode string
	// Timeout bounds a check at Send; 0 means DefaultTimeout.
	Timeout time.Duration
	// SSO: the add-in asks Office for a single sign-on token first
	// (Office.auth.getAccessToken) and uses the personal API token saved
	// in its pane only when that fails.
	SSO bool
	// Lang is the language for clients whose display language is
	// neither Japanese nor English: "en" (default) or "ja".
	Lang string
}

// Check validates o and fills in defaults.
func (o *Options) Check() error {
	if err := checkSendMode(&o.SendMode); err != nil {
		return fmt.Errorf("add-in %w", err)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Timeout < 500*time.Millisecond || o.Timeout > 4500*time.Millisecond {
		return fmt.Errorf("add-in timeout %v: want 0.5s to 4.5s (Outlook warns the sender after 5s)", o.Timeout)
	}
	if err := checkLang(&o.Lang); err != nil {
		return fmt.Errorf("add-in %w", err)
	}
	if o.PublicURL != "" {
		u, err := url.Parse(o.PublicURL)
		if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
			return fmt.Errorf("public URL %q: want https://host[:port]", o.PublicURL)
		}
		o.PublicURL = strings.TrimSuffix(o.PublicURL, "/")
	}
	return nil
}

// Handler serves the add-ins' files.
type Handler struct {
	o     Options
	files fs.FS
	icons map[string][]byte
}

// New returns the handler for OutlookPrefix.
func New(o Options) (*Handler, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	sub, err := fs.Sub(static, "static")
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"outlook/launchevent.js"} {
		b, err := fs.ReadFile(sub, name)
		if err != nil || !configLine.Match(b) {
			return nil, fmt.Errorf("%w: %s", ErrNoConfigLine, name)
		}
	}
	h := &Handler{o: o, files: sub, icons: map[string][]byte{}}
	for _, n := range IconSizes {
		h.icons[fmt.Sprintf("icon-%d.png", n)] = icon(n)
	}
	return h, nil
}

// IconSizes are the icon sizes the manifests name.
var IconSizes = []int{16, 32, 64, 80, 128, 192}

// servedFile answers what is not a GET or HEAD of one file under prefix
// and returns the file's name otherwise, with the headers every served
// file of an add-in has.
func servedFile(w http.ResponseWriter, r *http.Request, prefix string) (string, bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return "", false
	}
	name, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok || name == "" || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return "", false
	}
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	// Short caching: a changed send mode or a new release reaches the
	// clients within minutes.
	hd.Set("Cache-Control", "public, max-age=300")
	return name, true
}

// frameAncestors are the Outlook hosts that show the task pane in a frame.
const frameAncestors = "'self' https://*.office.com https://*.office365.com https://*.outlook.com https://*.microsoft.com https://*.live.com https://*.officeapps.live.com https://*.cloud.microsoft"

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := servedFile(w, r, OutlookPrefix)
	if !ok {
		return
	}
	hd := w.Header()
	if b, ok := h.icons[name]; ok {
		hd.Set("Content-Type", "image/png")
		w.Write(b)
		return
	}
	b, err := fs.ReadFile(h.files, "outlook/"+name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(name) {
	case ".js":
		if name == "launchevent.js" || name == "taskpane.js" {
			b = h.configured(b, r)
		}
		hd.Set("Content-Type", "text/javascript; charset=utf-8")
	case ".css":
		hd.Set("Content-Type", "text/css; charset=utf-8")
	case ".html":
		hd.Set("Content-Type", "text/html; charset=utf-8")
		hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self' https://appsforoffice.microsoft.com; style-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; frame-src https://*.office.com https://*.microsoft.com https://*.officeapps.live.com; base-uri 'none'; form-action 'none'; frame-ancestors "+frameAncestors)
	default:
		http.NotFound(w, r)
		return
	}
	w.Write(b)
}

// WellKnownPath is where classic Outlook on Windows looks, on the add-in's
// origin, for the scripts allowed single sign-on and cross-origin calls
// from its JavaScript-only runtime (where the Send handler runs there).
const WellKnownPath = "/.well-known/microsoft-officeaddins-allowed.json"

// WellKnown serves WellKnownPath: the Send handler misend serves, at the
// public URL (or the origin asked, without one).
func (h *Handler) WellKnown() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		base := h.o.PublicURL
		if base == "" {
			base = requestOrigin(r)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		json.NewEncoder(w).Encode(struct {
			Allowed []string `json:"allowed"`
		}{[]string{base + OutlookPrefix + "launchevent.js"}})
	})
}

// Config is what the add-in's scripts are served with.
type Config struct {
	API       string `json:"api"`
	SendMode  string `json:"sendMode"`
	TimeoutMs int64  `json:"timeoutMs"`
	SSO       bool   `json:"sso"`
	Lang      string `json:"lang"`
}

// Config returns the scripts' configuration; api is the public URL, or
// origin when there is none.
func (h *Handler) Config(origin string) Config {
	api := h.o.PublicURL
	if api == "" {
		api = origin
	}
	return Config{API: api, SendMode: h.o.SendMode, TimeoutMs: h.o.Timeout.Milliseconds(), SSO: h.o.SSO, Lang: h.o.Lang}
}

// requestOrigin is the origin r was asked on, for building without a
// public URL.
func requestOrigin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

var configLine = regexp.MustCompile(`(?m)^var MISEND_CONFIG = .*; // misend:config$`)

// configured lays the configuration over a script's default config line.
func (h *Handler) configured(b []byte, r *http.Request) []byte {
	origin := ""
	if h.o.PublicURL == "" {
		origin = requestOrigin(r)
	}
	js, _ := json.Marshal(h.Config(origin)) // escapes <, > and &: safe in a script
	return configLine.ReplaceAllLiteral(b, configScript(js))
}

// configScript is the config line holding js, the configuration as JSON.
func configScript(js []byte) []byte {
	return append(append([]byte("var MISEND_CONFIG = "), js...), []byte("; // misend:config")...)
}

// ErrNoConfigLine reports a script without the config line misend fills in.
var ErrNoConfigLine = errors.New("addin: script without its config line")

// icon draws the add-in's icon: misend's blue square with a white check
// mark, n pixels wide.
func icon(n int) []byte {
	return drawIcon(n, color.NRGBA{0x1f, 0x5f, 0xbf, 0xff})
}

// outlineIcon is the white-on-transparent icon the unified manifest asks
// for beside the colour one.
func outlineIcon(n int) []byte {
	return drawIcon(n, color.NRGBA{})
}

func drawIcon(n int, blue color.NRGBA) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			img.Set(x, y, blue)
		}
	}
	// A check mark: a short stroke down to the right, a long one up.
	w := max(1, n/10)
	fx := func(x0, y0, x1, y1 int) {
		steps := max(abs(x1-x0), abs(y1-y0))
		for i := 0; i <= steps; i++ {
			x := x0 + (x1-x0)*i/max(steps, 1)
			y := y0 + (y1-y0)*i/max(steps, 1)
			for dx := 0; dx < w; dx++ {
				for dy := 0; dy < w; dy++ {
					img.Set(x+dx, y+dy, white)
				}
			}
		}
	}
	fx(n*2/10, n*5/10, n*4/10, n*7/10)
	fx(n*4/10, n*7/10, n*8/10, n*3/10)
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
