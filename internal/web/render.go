package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/misend/misend/internal/auth"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// page is what every template gets.
type page struct {
	Lang  string
	Title string // message key
	P     *auth.Principal
	CSRF  string
	Nav   []navItem
	Path  string
	// Notice and Error are message keys shown above the content;
	// NoticeText a notice already written (naming a message).
	Notice, Error string
	NoticeText    string
	Data          any
}

func parseTemplates(loc *time.Location) (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, lang := range langs {
		base := template.New("layout").Funcs(funcs(lang, loc))
		if _, err := base.ParseFS(templateFS, "templates/layout.html"); err != nil {
			return nil, fmt.Errorf("web templates: %w", err)
		}
		for _, n := range names {
			name := strings.TrimSuffix(path.Base(n), ".html")
			if name == "layout" {
				continue
			}
			t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
			if err != nil {
				return nil, fmt.Errorf("web templates: %w", err)
			}
			out[lang+"/"+name] = t
		}
	}
	return out, nil
}

// funcs are the page templates' functions in lang; times are shown in
// loc with its zone (2026-12-07 09:15 JST), never an unnamed server zone.
func funcs(lang string, loc *time.Location) template.FuncMap {
	if loc == nil {
		loc = time.Local
	}
	return template.FuncMap{
		"t": func(key string, args ...any) string { return tr(lang, key, args...) },
		// tv translates a stored value (an audit action, a role) under
		// prefix, showing the value itself when the catalogue lacks it.
		"tv":    func(prefix, v string) string { return trValue(lang, prefix, v) },
		"scope": func(s string) string { return scopeText(lang, s) },
		"time": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("2006-01-02 15:04 MST")
		},
		"isotime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"score":   func(f float64) string { return fmt.Sprintf("%.2f", f) },
		"pct": func(f float64) string {
			if math.IsNaN(f) {
				return "–"
			}
			return fmt.Sprintf("%.1f%%", 100*f)
		},
		"weight": func(w *float64) string {
			if w == nil {
				return ""
			}
			return fmt.Sprintf("%.3f", *w)
		},
		"join": strings.Join,
		// isaddr tells a suggested address ("did you mean …?") from a
		// suggested action.
		"isaddr": func(s string) bool { return strings.Contains(s, "@") && !strings.ContainsAny(s, " \t") },
		"list":   func(s ...string) []string { return s },
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		},
		"svg": func(s string) template.HTML { return template.HTML(s) }, // server-drawn charts only; see chart.go
	}
}

// render writes page name with status. Pages are never cached: they carry
// held mail and a CSRF token.
func (w *Web) render(rw http.ResponseWriter, r *http.Request, q *req, status int, name string, pg page) {
	t := w.pagesFor(q)[q.lang+"/"+name]
	if t == nil {
		w.o.Log.Error("web: no template", "name", name)
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	pg.Lang, pg.P, pg.CSRF, pg.Path = q.lang, q.p, q.sess.CSRF, r.URL.Path
	if pg.Nav == nil {
		pg.Nav = w.nav(q, r.URL.Path)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", pg); err != nil {
		w.o.Log.Error("web: render", "page", name, "err", err)
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Cookie, Accept-Language")
	rw.WriteHeader(status)
	rw.Write(buf.Bytes())
}

// fail shows an error page with a message key.
func (w *Web) fail(rw http.ResponseWriter, r *http.Request, q *req, status int, key string) {
	w.render(rw, r, q, status, "error", page{Title: "title.error", Error: key})
}

// static serves the embedded assets.
func (w *Web) static(rw http.ResponseWriter, r *http.Request, q *req) {
	sub, _ := fs.Sub(staticFS, "static")
	rw.Header().Set("Cache-Control", "public, max-age=3600")
	http.StripPrefix("/static/", http.FileServerFS(sub)).ServeHTTP(rw, r)
}

// pagesFor returns the pages showing times in the reader's own time zone
// (the directory's time_zone), else the organisation's. Pages for another
// zone are parsed the first time someone of that zone reads one: a few
// zones in an organisation, each parsed once.
func (w *Web) pagesFor(q *req) map[string]*template.Template {
	if q.p == nil {
		return w.pages
	}
	person, _ := w.dir.Load().Person(q.p.Address)
	if person.TimeZone == "" || person.TimeZone == w.o.Location.String() {
		return w.pages
	}
	if pages, ok := w.zones.Load(person.TimeZone); ok {
		return pages.(map[string]*template.Template)
	}
	loc, err := time.LoadLocation(person.TimeZone)
	if err != nil {
		return w.pages
	}
	pages, err := parseTemplates(loc)
	if err != nil {
		w.o.Log.Error("web: pages for a time zone", "zone", person.TimeZone, "err", err)
		return w.pages
	}
	got, _ := w.zones.LoadOrStore(person.TimeZone, pages)
	return got.(map[string]*template.Template)
}
