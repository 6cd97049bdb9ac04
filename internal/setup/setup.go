// Package setup prepares a new misend installation: the organisation's
// configuration file, written with a comment on every setting so that the
// administrator who reads it next year knows what each one does, and the
// secret key files it names. It writes files only; the first administrator
// account is made by package auth.
package setup

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/misend/misend/internal/config"
)

// Org is what `misend init` asks of the organisation.
type Org struct {
	Domains   []string // the organisation's own mail domains; required
	PublicURL string   // where people reach the web UI; no notices without it
	Lang      string   // notices' language when a person has none: ja or en
	TimeZone  string   // where report days begin (IANA name)
	Networks  []string // client networks allowed to relay (CIDR)
	Upstream  string   // the smarthost, host:port
	SMTP      string   // SMTP listen address
	HTTP      string   // HTTP listen address
	StateDir  string   // database, spool and link key
	DB        string   // SQLite path or postgres:// URL; default StateDir/misend.db
	SpoolKey  string   // spool encryption key file; "" for none
}

//go:embed misend.toml.tmpl
var configTemplate string

var tmpl = template.Must(template.New("misend.toml").Funcs(template.FuncMap{
	"q": func(s string) string { return fmt.Sprintf("%q", s) },
	"list": func(l []string) string {
		q := make([]string, len(l))
		for i, s := range l {
			q[i] = fmt.Sprintf("%q", s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	},
}).Parse(configTemplate))

// withDefaults fills what was not given and checks what was.
func (o Org) withDefaults() (Org, error) {
	if len(o.Domains) == 0 {
		return o, errors.New("say which mail domains are the organisation's own (--org-domain corp.example, repeatable)")
	}
	o.Domains = slices.Clone(o.Domains)
	for i, d := range o.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" || strings.ContainsAny(d, "@ /") || !strings.Contains(d, ".") {
			return o, fmt.Errorf("%q is not a mail domain", o.Domains[i])
		}
		o.Domains[i] = d
	}
	if o.PublicURL != "" {
		u, err := url.Parse(o.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return o, fmt.Errorf("public URL %q is not an http(s) URL", o.PublicURL)
		}
	}
	switch o.Lang {
	case "":
		o.Lang = "ja"
	case "ja", "en":
	default:
		return o, fmt.Errorf("language %q is not ja or en", o.Lang)
	}
	if o.TimeZone != "" {
		if _, err := time.LoadLocation(o.TimeZone); err != nil {
			return o, fmt.Errorf("time zone %q: %w", o.TimeZone, err)
		}
	}
	for _, n := range o.Networks {
		if _, err := netip.ParsePrefix(n); err != nil {
			return o, fmt.Errorf("network %q is no CIDR network such as 10.0.0.0/8", n)
		}
	}
	if o.SMTP == "" {
		o.SMTP = "127.0.0.1:2525"
	}
	if o.HTTP == "" {
		o.HTTP = "127.0.0.1:8025"
	}
	if o.StateDir == "" {
		o.StateDir = "/var/lib/misend"
	}
	// Paths in the file are absolute: the service does not start where
	// the administrator's shell was.
	var err error
	if o.StateDir, err = filepath.Abs(o.StateDir); err != nil {
		return o, err
	}
	if o.SpoolKey != "" {
		if o.SpoolKey, err = filepath.Abs(o.SpoolKey); err != nil {
			return o, err
		}
	}
	if o.DB == "" {
		o.DB = filepath.Join(o.StateDir, "misend.db")
	}
	return o, nil
}

// Config renders the commented configuration file for o, with defaults
// filled in, and checks that misend reads it back as meant.
func (o Org) Config() ([]byte, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, struct {
		Org
		Spool string
		From  string
	}{o, filepath.Join(o.StateDir, "spool"), "misend@" + o.Domains[0]}); err != nil {
		return nil, fmt.Errorf("render configuration: %w", err)
	}
	if _, err := config.Parse(b.Bytes()); err != nil {
		return nil, fmt.Errorf("rendered configuration does not read back: %w", err)
	}
	return b.Bytes(), nil
}

// Defaults returns o with the defaults Config would use, for telling the
// administrator where things go.
func (o Org) Defaults() (Org, error) { return o.withDefaults() }
