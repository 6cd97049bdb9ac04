package config

import (
	"fmt"
	"github.com/misend/misend/internal/model"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/misend/misend/internal/detect"
)

// Severity says whether a finding of Review stops misend (or makes it
// unsafe to run) or only leaves something off that the organisation may
// want.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Advice is one thing Review found missing or unsafe in a configuration.
type Advice struct {
	Severity Severity `json:"severity"`
	Key      string   `json:"key,omitempty"`    // section.name, or "" for the file
	Code     string   `json:"code"`             // stable, for scripts: "no_public_url"
	Detail   string   `json:"detail,omitempty"` // the path, address or error it is about
}

// Text says the advice in plain words, in lang (ja or en).
func (a Advice) Text(lang string) string {
	m, ok := adviceText[a.Code]
	if !ok {
		return a.Code + ": " + a.Detail
	}
	s := m[0]
	if lang == "ja" {
		s = m[1]
	}
	if strings.Contains(s, "%s") {
		return fmt.Sprintf(s, a.Detail)
	}
	return s
}

// Env is what Review asks of the machine; tests replace it.
type Env struct {
	// FSType names the network filesystem dir is on ("nfs", "cifs", …),
	// "" for a local one.
	FSType func(dir string) string
	// Stat looks at a file misend reads at start (keys, secrets).
	Stat func(path string) (os.FileInfo, error)
}

// Machine is the Env of this host.
var Machine = Env{FSType: networkFS, Stat: os.Stat}

// Review looks over a configuration that parsed as misend would run it,
// for what is missing or unsafe: what `misend config check` prints and
// `misend serve` logs at start. Errors come first.
func Review(c *Config, env Env) []Advice {
	var errs, warns []Advice
	add := func(sev Severity, key, code, detail string) {
		a := Advice{Severity: sev, Key: key, Code: code, Detail: detail}
		if sev == Error {
			errs = append(errs, a)
		} else {
			warns = append(warns, a)
		}
	}
	if c.Upstream.Addr == "" {
		add(Error, "upstream.addr", "no_upstream", "")
	} else if _, _, err := net.SplitHostPort(c.Upstream.Addr); err != nil {
		add(Error, "upstream.addr", "bad_address", c.Upstream.Addr)
	}
	if len(c.OrgDomains) == 0 {
		add(Warning, "org_domains", "no_org_domains", "")
	}
	smtp := orDefault(c.SMTP.Listen, "127.0.0.1:2525")
	switch exposed, ok := reachable(smtp); {
	case !ok:
		add(Error, "smtp.listen", "bad_address", smtp)
	case exposed && len(c.SMTP.Networks) == 0 && c.SMTP.AuthFile == "":
		add(Error, "smtp.networks", "open_relay", smtp)
	case exposed && c.SMTP.AuthFile != "" && c.SMTP.TLSCert == "":
		add(Warning, "smtp.tls_cert", "auth_without_tls", smtp)
	}
	for _, l := range []struct{ key, addr string }{{"http.listen", c.HTTP.Listen}, {"milter.listen", c.Milter.Listen}} {
		if l.addr == "" {
			continue
		}
		exposed, ok := reachable(l.addr)
		switch {
		case !ok:
			add(Error, l.key, "bad_address", l.addr)
		case exposed && l.key == "milter.listen":
			add(Warning, l.key, "milter_exposed", l.addr)
		case exposed && !c.Web.SecureCookies && !strings.HasPrefix(c.Notify.BaseURL, "https://"):
			add(Warning, l.key, "web_plain_http", l.addr)
		}
	}
	if c.Notify.BaseURL == "" {
		add(Warning, "notify.base_url", "no_public_url", "")
		if c.Approval != nil {
			add(Warning, "approval", "approval_silent", "")
		}
	}
	if c.Retention == nil {
		add(Warning, "retention", "no_retention", "")
	} else if c.Retention.HeldDays == 0 {
		// Tables written before held_days existed leave it out.
		add(Warning, "retention.held_days", "held_kept_for_ever", "")
	}
	if c.Queue.EncryptionKeyFile == "" {
		add(Warning, "queue.encryption_key_file", "no_spool_key", "")
	}
	for _, f := range []struct{ key, path string }{
		{"queue.encryption_key_file", c.Queue.EncryptionKeyFile},
		{"smtp.auth_file", c.SMTP.AuthFile},
		{"upstream.password_file", c.Upstream.PasswordFile},
		{"web.oidc_client_secret_file", c.Web.OIDCClientSecretFile},
		{"smtp.tls_key", c.SMTP.TLSKey},
		{"siem.hec_token_file", c.SIEM.HECTokenFile},
	} {
		if f.path == "" {
			continue
		}
		fi, err := env.Stat(f.path)
		switch {
		case err != nil:
			add(Error, f.key, "missing_file", f.path)
		case fi.Mode().Perm()&0o077 != 0 && f.key != "smtp.tls_key":
			add(Error, f.key, "secret_readable", f.path)
		}
	}
	reviewTopicKey(c, env, add)
	if c.SMTP.TLSCert != "" {
		if _, err := env.Stat(c.SMTP.TLSCert); err != nil {
			add(Error, "smtp.tls_cert", "missing_file", c.SMTP.TLSCert)
		}
	}
	if c.Web.TimeZone != "" {
		if _, err := time.LoadLocation(c.Web.TimeZone); err != nil {
			add(Error, "web.time_zone", "bad_time_zone", c.Web.TimeZone)
		}
	}
	if c.Web.OIDCIssuer != "" && c.Web.OIDCClientID == "" {
		add(Error, "web.oidc_client_id", "oidc_incomplete", "")
	}
	if db := c.DB; db != "" && !strings.Contains(db, "://") {
		if !filepath.IsAbs(db) {
			add(Warning, "db", "relative_path", db)
		}
		if fs := env.FSType(filepath.Dir(db)); fs != "" {
			add(Error, "db", "network_fs", fs)
		}
	}
	if d := c.Queue.Dir; d != "" && !filepath.IsAbs(d) {
		add(Warning, "queue.dir", "relative_path", d)
	}
	if c.Policy != nil {
		reviewLists(c, add)
	}
	return append(errs, warns...)
}

// reviewTopicKey looks at the key of the subject hashes: on SQLite it is
// made on first use, next to the database unless set, so only a key
// others may read is wrong; on PostgreSQL it must be set and exist, since
// replicas on several hosts cannot each make their own.
func reviewTopicKey(c *Config, env Env, add func(sev Severity, key, code, detail string)) {
	const key = "model.topic_key_file"
	path, _ := model.TopicKeyPath(c.DB, c.Model.TopicKeyFile)
	shared := strings.Contains(c.DB, "://")
	switch {
	case path == "" && shared:
		add(Warning, key, "no_topic_key", "")
		return
	case path == "":
		return
	}
	fi, err := env.Stat(path)
	switch {
	case err != nil && shared:
		add(Error, key, "missing_file", path)
	case err == nil && fi.Mode().Perm()&0o077 != 0:
		add(Error, key, "secret_readable", path)
	}
}

// reviewLists warns of trusted domains and exempt senders that do not do
// what whoever wrote them likely meant, or open a hole.
func reviewLists(c *Config, add func(sev Severity, key, code, detail string)) {
	own := func(dom string) bool {
		for _, o := range c.OrgDomains {
			if o = strings.ToLower(o); dom == o || strings.HasSuffix(dom, "."+o) {
				return true
			}
		}
		return false
	}
	for _, d := range c.Policy.TrustedDomains {
		switch {
		case detect.IsFreemail(d):
			// Anyone can have an address there: mail to a stranger at
			// the provider would not be asked about as a new domain.
			add(Warning, "policy.trusted_domains", "trusted_freemail", d)
		case own(d):
			add(Warning, "policy.trusted_domains", "trusted_own", d)
		}
	}
	for _, a := range c.Policy.ExemptSenders {
		_, dom, _ := strings.Cut(a, "@")
		if dom != "" && len(c.OrgDomains) > 0 && !own(dom) {
			add(Warning, "policy.exempt_senders", "exempt_outside", a)
		}
	}
}

// Errors counts the errors in l.
func Errors(l []Advice) int {
	n := 0
	for _, a := range l {
		if a.Severity == Error {
			n++
		}
	}
	return n
}

// reachable tells whether a listen address is open to other hosts (any
// address but loopback); ok is false when it is no host:port.
func reachable(addr string) (exposed, ok bool) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return false, false
	}
	if host == "localhost" {
		return false, true
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return true, true // a host name: whatever it resolves to
	}
	return !ip.IsLoopback(), true
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
