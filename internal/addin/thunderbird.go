package addin

import (
	"archive/zip"
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/idna"
)

// thunderbirdStatic holds the add-in's files; "all:" keeps _locales, which
// a plain embed pattern leaves out.
//
//go:embed all:static/thunderbird
var thunderbirdStatic embed.FS

// ThunderbirdPrefix is where misend serves the Thunderbird add-in: the
// .xpi built for its public URL, and the checklist page for previews.
const ThunderbirdPrefix = "/addin/thunderbird/"

// ThunderbirdTimeout is how long the Thunderbird add-in waits for misend
// at Send by default. Thunderbird has no limit of its own; a sender does.
const ThunderbirdTimeout = 5 * time.Second

// ThunderbirdMinVersion is the oldest Thunderbird the add-in installs on:
// ESR 128, the oldest release still supported. Everything the add-in uses
// is in its compose API; it is tested on 153 ESR.
const ThunderbirdMinVersion = "128.0"

// Thunderbird describes one build of the Thunderbird add-in (a
// MailExtension, manifest version 2).
type Thunderbird struct {
	// PublicURL is where people's Thunderbird reaches misend. The add-in
	// may connect there and nowhere else: it is the only host permission.
	PublicURL string
	// ID is the add-in's ID, the key of its settings in policies.json;
	// default misend@ and the public URL's host name.
	ID string
	// SendMode applies when misend cannot answer: softBlock (default:
	// send, the gateway still checks), promptUser or block.
	SendMode string
	// Timeout bounds a check at Send; 0 means ThunderbirdTimeout.
	Timeout time.Duration
	// Lang is the language when Thunderbird's is neither Japanese nor
	// English: "en" (default) or "ja".
	Lang string
	// InsideDomains are the organisation's domains, not marked as outside
	// in the checklist (the sender's own domain never is).
	InsideDomains []string
	// Version is the add-in's version, numbers and dots; default 1.0.0.
	Version string
	// Updates makes installed copies look for new versions at misend
	// (ThunderbirdPrefix + "updates.json"), as the .xpi misend serve offers
	// does. An .xpi built for deploying from elsewhere leaves updates to
	// whoever deploys it: misend's copy may be built with other settings.
	Updates bool
}

var (
	geckoID       = regexp.MustCompile(`^[A-Za-z0-9._+-]{1,64}@[A-Za-z0-9.-]{1,190}$`)
	addonVersion  = regexp.MustCompile(`^(0|[1-9][0-9]{0,8})(\.(0|[1-9][0-9]{0,8})){0,3}$`)
	domainPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)
)

// check validates t and fills in defaults.
func (t *Thunderbird) check() error {
	u, err := url.Parse(t.PublicURL)
	if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("thunderbird add-in: public URL %q: want https://host[:port][/path]", t.PublicURL)
	}
	t.PublicURL = strings.TrimSuffix(u.String(), "/")
	if t.ID == "" {
		host := strings.ToLower(u.Hostname())
		if a, err := idna.Lookup.ToASCII(host); err == nil {
			host = a
		}
		t.ID = "misend@" + strings.Trim(host, "[]")
		t.ID = strings.ReplaceAll(t.ID, ":", "-") // an IPv6 address
	}
	if !geckoID.MatchString(t.ID) {
		return fmt.Errorf("thunderbird add-in: id %q: want name@domain", t.ID)
	}
	if err := checkSendMode(&t.SendMode); err != nil {
		return fmt.Errorf("thunderbird add-in: %w", err)
	}
	if t.Timeout == 0 {
		t.Timeout = ThunderbirdTimeout
	}
	if t.Timeout < 500*time.Millisecond || t.Timeout > time.Minute {
		return fmt.Errorf("thunderbird add-in: timeout %v: want 0.5s to 1m", t.Timeout)
	}
	if err := checkLang(&t.Lang); err != nil {
		return fmt.Errorf("thunderbird add-in: %w", err)
	}
	t.InsideDomains = append([]string(nil), t.InsideDomains...)
	for i, d := range t.InsideDomains {
		d = strings.ToLower(strings.TrimSpace(d))
		if !domainPattern.MatchString(d) {
			return fmt.Errorf("thunderbird add-in: domain %q: want a domain name such as corp.example", t.InsideDomains[i])
		}
		t.InsideDomains[i] = d
	}
	if t.Version == "" {
		t.Version = "1.0.0"
	}
	if !addonVersion.MatchString(t.Version) {
		return fmt.Errorf("thunderbird add-in: version %q: want numbers and dots such as 1.2.0", t.Version)
	}
	return nil
}

// hostPermission is the one origin the add-in may reach: misend's public
// URL, any path under it. A match pattern names no port; Thunderbird
// matches every port of the host.
func (t Thunderbird) hostPermission() string {
	u, _ := url.Parse(t.PublicURL)
	p := strings.TrimSuffix(u.EscapedPath(), "/")
	return u.Scheme + "://" + u.Hostname() + p + "/*"
}

// thunderbirdManifest is manifest.json. Permissions are the fewest the
// add-in works with: compose (read the draft at Send, change its
// recipients), storage (settings, and the administrator's policies through
// storage.managed) and misend's own address.
type thunderbirdManifest struct {
	ManifestVersion int    `json:"manifest_version"`
	Name            string `json:"name"`
	Description     string `json:"description"`
	Version         string `json:"version"`
	DefaultLocale   string `json:"default_locale"`
	Author          string `json:"author"`
	Settings        struct {
		Gecko struct {
			ID         string `json:"id"`
			MinVersion string `json:"strict_min_version"`
			UpdateURL  string `json:"update_url,omitempty"`
		} `json:"gecko"`
	} `json:"browser_specific_settings"`
	Permissions []string `json:"permissions"`
	Background  struct {
		Scripts []string `json:"scripts"`
	} `json:"background"`
	OptionsUI struct {
		Page string `json:"page"`
	} `json:"options_ui"`
	Icons map[string]string `json:"icons"`
}

// thunderbirdIcons are the icon sizes in the .xpi.
var thunderbirdIcons = []int{32, 64, 128}

// Manifest returns the add-in's manifest.json.
func (t Thunderbird) Manifest() ([]byte, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	return t.manifest()
}

// manifest is Manifest for a t already checked.
func (t Thunderbird) manifest() ([]byte, error) {
	var m thunderbirdManifest
	m.ManifestVersion = 2
	m.Name, m.Description = "__MSG_extName__", "__MSG_extDescription__"
	m.Version, m.DefaultLocale, m.Author = t.Version, "en", "misend"
	m.Settings.Gecko.ID, m.Settings.Gecko.MinVersion = t.ID, ThunderbirdMinVersion
	if t.Updates {
		m.Settings.Gecko.UpdateURL = t.PublicURL + ThunderbirdPrefix + "updates.json"
	}
	m.Permissions = []string{"compose", "storage", t.hostPermission()}
	m.Background.Scripts = []string{"config.js", "check.js", "background.js"}
	m.OptionsUI.Page = "options.html"
	m.Icons = map[string]string{}
	for _, n := range thunderbirdIcons {
		m.Icons[fmt.Sprint(n)] = fmt.Sprintf("icon-%d.png", n)
	}
	return json.MarshalIndent(m, "", "  ")
}

// config is the add-in's config.js line.
func (t Thunderbird) config() []byte {
	inside := t.InsideDomains
	if inside == nil {
		inside = []string{}
	}
	js, _ := json.Marshal(struct {
		API           string   `json:"api"`
		SendMode      string   `json:"sendMode"`
		TimeoutMs     int64    `json:"timeoutMs"`
		Lang          string   `json:"lang"`
		InsideDomains []string `json:"insideDomains"`
	}{t.PublicURL, t.SendMode, t.Timeout.Milliseconds(), t.Lang, inside}) // escapes <, > and &: safe in a script
	return configScript(js)
}

// files returns the add-in's files by their path in the .xpi.
func (t Thunderbird) files() (map[string][]byte, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	mf, err := t.manifest()
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{"manifest.json": mf}
	err = fs.WalkDir(thunderbirdStatic, "static/thunderbird", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(thunderbirdStatic, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/thunderbird/")
		if name == "config.js" {
			if !configLine.Match(b) {
				return fmt.Errorf("%w: thunderbird/config.js", ErrNoConfigLine)
			}
			b = configLine.ReplaceAllLiteral(b, t.config())
		}
		out[name] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("thunderbird add-in: %w", err)
	}
	for _, n := range thunderbirdIcons {
		out[fmt.Sprintf("icon-%d.png", n)] = icon(n)
	}
	return out, nil
}

// xpiTime is the time stamped on every file in the .xpi, so the same
// build options give the same bytes.
var xpiTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// XPI writes the add-in as an .xpi (a zip with manifest.json first).
func (t Thunderbird) XPI(w io.Writer) error {
	files, err := t.files()
	if err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		if n != "manifest.json" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	z := zip.NewWriter(w)
	for _, n := range append([]string{"manifest.json"}, names...) {
		f, err := z.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate, Modified: xpiTime})
		if err != nil {
			return fmt.Errorf("thunderbird add-in: %s: %w", n, err)
		}
		if _, err := f.Write(files[n]); err != nil {
			return fmt.Errorf("thunderbird add-in: %s: %w", n, err)
		}
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("thunderbird add-in: %w", err)
	}
	return nil
}

// ThunderbirdHandler serves ThunderbirdPrefix: misend.xpi built for the
// public URL (or, without one, for the origin it is asked on), so
// policies.json can install it from misend itself, and the checklist page
// with its script and style.
type ThunderbirdHandler struct {
	t Thunderbird

	mu     sync.Mutex
	xpis   map[string][]byte // .xpi by the settings it was built with (xpiKey)
	builds int               // how many were built: the cache's test
}

// maxXPIs bounds the builds kept. With a public URL there is one; without,
// one per Host asked on, which a client chooses: a few names are the
// usual, and more start the cache afresh rather than grow it.
const maxXPIs = 8

// NewThunderbird returns the handler for ThunderbirdPrefix. t.PublicURL
// may be empty: then the .xpi is built for the origin it is requested on.
func NewThunderbird(t Thunderbird) (*ThunderbirdHandler, error) {
	public, id := t.PublicURL, t.ID
	if public == "" {
		t.PublicURL = "http://misend.invalid"
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	if public == "" {
		t.PublicURL, t.ID = "", id
	}
	return &ThunderbirdHandler{t: t}, nil
}

// thunderbirdPages are the files served on the web: the checklist page
// and what it loads.
var thunderbirdPages = map[string]string{
	"popup.html": "text/html; charset=utf-8",
	"popup.js":   "text/javascript; charset=utf-8",
	"check.js":   "text/javascript; charset=utf-8",
	"popup.css":  "text/css; charset=utf-8",
}

// ServeHTTP implements http.Handler.
func (h *ThunderbirdHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := servedFile(w, r, ThunderbirdPrefix)
	if !ok {
		return
	}
	hd := w.Header()
	t := h.t
	t.Updates = true
	if t.PublicURL == "" {
		t.PublicURL = requestOrigin(r)
		// Built for the Host the request named: for that request only.
		hd.Set("Cache-Control", "no-store")
	}
	if name == "updates.json" {
		// Thunderbird's update manifest: the one version misend offers.
		if err := t.check(); err != nil {
			http.Error(w, "no add-in for this address", http.StatusBadRequest)
			return
		}
		hd.Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"addons": map[string]any{t.ID: map[string]any{"updates": []any{
			map[string]string{"version": t.Version, "update_link": t.PublicURL + ThunderbirdPrefix + "misend.xpi"}}}}})
		return
	}
	if name == "misend.xpi" {
		xpi, err := h.xpi(t)
		if err != nil {
			http.Error(w, "the add-in cannot be built for this address", http.StatusBadRequest)
			return
		}
		hd.Set("Content-Type", "application/x-xpinstall")
		hd.Set("Content-Disposition", `attachment; filename="misend.xpi"`)
		w.Write(xpi)
		return
	}
	ctype, ok := thunderbirdPages[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(thunderbirdStatic, path.Join("static/thunderbird", name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	hd.Set("Content-Type", ctype)
	if strings.HasPrefix(ctype, "text/html") {
		hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	}
	w.Write(b)
}

// xpi returns the .xpi for t, built once for its settings: every download
// of one build would otherwise deflate the same files again. The settings
// are the whole key, so a build for other ones (another Host, another
// handler's options) is never served in its place; the files embedded in
// misend change only with misend.
func (h *ThunderbirdHandler) xpi(t Thunderbird) ([]byte, error) {
	key, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	b, ok := h.xpis[string(key)]
	h.mu.Unlock()
	if ok {
		return b, nil
	}
	var buf bytes.Buffer
	if err := t.XPI(&buf); err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.xpis == nil || len(h.xpis) >= maxXPIs {
		h.xpis = map[string][]byte{}
	}
	h.xpis[string(key)] = buf.Bytes()
	h.builds++
	return buf.Bytes(), nil
}
