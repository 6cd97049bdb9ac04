// Package config reads misend's TOML configuration file. Unknown keys and
// bad values are errors that name the key and line, so a typo never silently
// falls back to a default.
//
// It only reads and checks; the packages it configures apply defaults, and
// cmd/misend lets command-line flags override what the file says.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/misend/misend/internal/approval"
	"github.com/misend/misend/internal/policy"
)

// Config is the whole file. Every `misend serve` flag has a twin here:
//
//	db = "/var/lib/misend/misend.db"
//	org_domains = ["corp.example"]
//
//	[smtp]
//	listen = "127.0.0.1:2525"
//	domain = "misend.corp.example"      # HELO name and bounce domain
//	tls_cert = "/etc/misend/cert.pem"   # with tls_key: offer STARTTLS
//	tls_key = "/etc/misend/key.pem"
//	auth_file = "/etc/misend/smtp-users" # "user:hash" lines (misend smtp-user); AUTH required
//	networks = ["10.0.0.0/8"]           # clients allowed to relay
//	max_message_bytes = 10485760
//	max_recipients = 1000
//	max_line_length = 998
//	max_header_bytes = 102400
//	fail_safe = "hold"                  # verdict when a message cannot be decided
//
//	[milter]
//	listen = "127.0.0.1:2526"
//
//	[http]
//	listen = "127.0.0.1:8025"
//
//	[upstream]
//	addr = "mx.corp.example:25"
//	tls = "required"                    # none, opportunistic, required
//	username = "misend"
//	password_file = "/etc/misend/upstream-password"
//	cut_through = true                  # passing mail goes upstream before the 250
//
//	[queue]
//	dir = "/var/spool/misend"
//	encryption_key_file = "/etc/misend/spool.key" # 32 bytes or 64 hex digits
//	keep_finished = "72h"               # metadata of finished mail
//	retry_first = "1m"
//	retry_max = "1h"
//	max_age = "120h"
//	delivery_workers = 8                # messages sent upstream at once
//
//	[notify]
//	signing_key_file = "/var/lib/misend/link.key"
//	base_url = "https://misend.corp.example"
//	from = "misend@corp.example"
//	default_lang = "ja"
//	link_ttl = "72h"
//
//	[model]
//	save_every = "5m"
//	share = true                        # learn with the other replicas on the database (default: on PostgreSQL)
//	refit_every = "24h"                 # fit the weights again on what people answered (refit = false: never)
//	topic_key_file = "/etc/misend/topic.key" # keys the subject hashes (default on SQLite: DB.topic.key; on PostgreSQL: set it)
//
//	[web]
//	oidc_issuer = "https://login.microsoftonline.com/TENANT/v2.0"
//	oidc_client_id = "…"
//	oidc_client_secret_file = "/etc/misend/oidc-secret"
//	no_local_accounts = true            # with OIDC: no password sign-in
//	secure_cookies = true               # behind a TLS-terminating proxy
//	time_zone = "Asia/Tokyo"            # the organisation's: report days, times shown, business hours
//
//	[policy]                            # the starting policy; see package policy
//	trusted_domains = ["group-co.co.jp"] # outside domains treated as known
//	exempt_senders = ["noreply@"]       # own bulk/system senders, never stopped
//
//	[policy.default]
//	bands = { warn = 0.5, confirm = 0.7, hold = 0.9 }
//
//	[approval]                          # held mail nobody decides on; see package approval
//	escalate_after = "4h"
//	final_after = "24h"
//	final_action = "return"
type Config struct {
	DB         string         `toml:"db"`
	OrgDomains []string       `toml:"org_domains"`
	SMTP       SMTP           `toml:"smtp"`
	Upstream   Upstream       `toml:"upstream"`
	HTTP       Listener       `toml:"http"`
	Milter     Listener       `toml:"milter"`
	Queue      Queue          `toml:"queue"`
	Notify     Notify         `toml:"notify"`
	Model      Model          `toml:"model"`
	Web        Web            `toml:"web"`
	Retention  *Retention     `toml:"retention"`
	SIEM       SIEM           `toml:"siem"`
	Policy     *policy.Config `toml:"policy"`
	// Approval is what happens to held mail nobody decides on (package
	// approval); nil: it waits until someone does.
	Approval *approval.Config `toml:"approval"`
}

// SIEM sends decisions and audit entries to the security team's
// collector; see package siem and the README for the fields.
//
//	[siem]
//	json_file = "/var/log/misend/events.jsonl"   # JSON lines for an agent to tail
//	syslog = "tls://siem.corp.example:6514"      # RFC 5424 over udp://, tcp:// or tls://
//	syslog_ca_file = "/etc/misend/siem-ca.pem"    # TLS: the collector's CA (default: the system's)
//	hec_url = "https://splunk.corp.example:8088"  # Splunk HTTP Event Collector (https only)
//	hec_token_file = "/etc/misend/hec.token"      # the HEC token, mode 600
//	hec_ca_file = "/etc/misend/splunk-ca.pem"     # the collector's CA (default: the system's)
//	hec_index = "security"                        # default: the token's index
//	hec_sourcetype = "misend:event"
//	include_terms = false                        # export matched confidential terms
//	every = "5s"
//	max_backoff = "5m"                           # longest pause before a failing collector is tried again
type SIEM struct {
	JSONFile      string   `toml:"json_file"`
	Syslog        string   `toml:"syslog"`
	SyslogCAFile  string   `toml:"syslog_ca_file"`
	HECURL        string   `toml:"hec_url"`
	HECTokenFile  string   `toml:"hec_token_file"`
	HECCAFile     string   `toml:"hec_ca_file"`
	HECIndex      string   `toml:"hec_index"`
	HECSourcetype string   `toml:"hec_sourcetype"`
	IncludeTerms  bool     `toml:"include_terms"`
	Every         Duration `toml:"every"`
	MaxBackoff    Duration `toml:"max_backoff"`
}

// Retention says how many days each kind of record is kept; 0 keeps it for
// ever. Without a [retention] table nothing is deleted.
//
//	[retention]
//	decisions_days = 400     # verdicts and findings, for reports
//	audit_days = 1095        # who viewed, released, changed what
//	term_index_days = 365    # imported mail's candidate terms
//	held_days = 14           # held or confirming mail nobody answered: deleted, not sent
//	journal_days = 7         # replicas' model journal: who wrote to whom and when
type Retention struct {
	DecisionsDays int `toml:"decisions_days"`
	AuditDays     int `toml:"audit_days"`
	TermIndexDays int `toml:"term_index_days"`
	HeldDays      int `toml:"held_days"`
	JournalDays   int `toml:"journal_days"`
}

// SMTP configures the gateway's listener.
type SMTP struct {
	Listen          string   `toml:"listen"`
	Domain          string   `toml:"domain"`
	TLSCert         string   `toml:"tls_cert"`
	TLSKey          string   `toml:"tls_key"`
	AuthFile        string   `toml:"auth_file"`
	Networks        []Prefix `toml:"networks"`
	MaxMessageBytes int64    `toml:"max_message_bytes"`
	MaxRecipients   int      `toml:"max_recipients"`
	MaxLineLength   int      `toml:"max_line_length"`
	MaxHeaderBytes  int      `toml:"max_header_bytes"`
	FailSafe        string   `toml:"fail_safe"`
	// StampOutside adds misend's X-Misend-* headers also to mail with a
	// recipient outside the organisation (gateway and milter); off, the
	// default, outsiders learn nothing of the verdict.
	StampOutside bool `toml:"stamp_outside"`
}

// Upstream is the smarthost misend relays to.
type Upstream struct {
	Addr         string `toml:"addr"`
	TLS          string `toml:"tls"`
	Username     string `toml:"username"`
	PasswordFile string `toml:"password_file"`
	// CutThrough, on unless set false, sends passing mail upstream while
	// the client waits and answers on the upstream's 250, so it never
	// touches the spool; mail the upstream does not take is spooled.
	CutThrough *bool `toml:"cut_through"`
}

// Listener is a plain listen address.
type Listener struct {
	Listen string `toml:"listen"`
}

// Queue configures the spool.
type Queue struct {
	Dir               string   `toml:"dir"`
	EncryptionKeyFile string   `toml:"encryption_key_file"`
	KeepFinished      Duration `toml:"keep_finished"`
	RetryFirst        Duration `toml:"retry_first"`
	RetryMax          Duration `toml:"retry_max"`
	MaxAge            Duration `toml:"max_age"`
	DeliveryWorkers   int      `toml:"delivery_workers"`
}

// Notify configures the notices mailed about waiting messages.
type Notify struct {
	SigningKeyFile string   `toml:"signing_key_file"`
	BaseURL        string   `toml:"base_url"`
	From           string   `toml:"from"`
	DefaultLang    string   `toml:"default_lang"`
	LinkTTL        Duration `toml:"link_ttl"`
}

// Web configures sign-in to the web UI and how it shows reports.
type Web struct {
	OIDCIssuer           string `toml:"oidc_issuer"`
	OIDCClientID         string `toml:"oidc_client_id"`
	OIDCClientSecretFile string `toml:"oidc_client_secret_file"`
	OIDCRedirectURL      string `toml:"oidc_redirect_url"`
	NoLocalAccounts      bool   `toml:"no_local_accounts"`
	SecureCookies        bool   `toml:"secure_cookies"`
	TimeZone             string `toml:"time_zone"`
	// TrustedProxies are reverse proxies (addresses or CIDR prefixes)
	// whose X-Forwarded-For names the client; none by default.
	TrustedProxies []string `toml:"trusted_proxies"`
}

// Model configures the learned model while serving.
type Model struct {
	SaveEvery Duration `toml:"save_every"`
	// Share makes replicas on one database learn from each other's mail
	// (package journal); nil means yes on PostgreSQL, no on SQLite.
	Share *bool `toml:"share"`
	// Refit fits the weights again every RefitEvery (0 means a day) on
	// the imported history's samples and what people answered about
	// flagged mail (package refit); nil means yes.
	Refit      *bool    `toml:"refit"`
	RefitEvery Duration `toml:"refit_every"`
	// TopicKeyFile holds the secret the subjects that thread mail are
	// hashed with (keyfile.Exact32), kept out of the database so that
	// a copy of it alone cannot be searched for guessed subjects. Default
	// on SQLite: the database's path + ".topic.key", made on first use.
	// On PostgreSQL there is no default: every replica must read one key,
	// made once and copied to each, or subjects are hashed unkeyed.
	TopicKeyFile string `toml:"topic_key_file"`
}

// Duration is a time.Duration written as "90s" or "5m".
type Duration time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	if v < 0 {
		return fmt.Errorf("negative duration %s", b)
	}
	*d = Duration(v)
	return nil
}

// Prefix is a CIDR network such as "10.0.0.0/8".
type Prefix struct{ netip.Prefix }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Prefix) UnmarshalText(b []byte) error {
	v, err := netip.ParsePrefix(string(b))
	if err != nil {
		return fmt.Errorf("%q is no CIDR network: %w", b, err)
	}
	p.Prefix = v
	return nil
}

// Load reads and checks the file at path.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes and checks a configuration.
func Parse(b []byte) (*Config, error) {
	var c Config
	dec := toml.NewDecoder(bytes.NewReader(b)).DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		var sm *toml.StrictMissingError
		if errors.As(err, &sm) {
			var keys UnknownKeysError
			for _, e := range sm.Errors {
				row, _ := e.Position()
				keys = append(keys, fmt.Sprintf("line %d: %s", row, strings.Join(e.Key(), ".")))
			}
			return nil, keys
		}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			if k := de.Key(); len(k) > 0 {
				return nil, fmt.Errorf("line %d column %d: %s: %w", row, col, strings.Join(k, "."), err)
			}
			return nil, fmt.Errorf("line %d column %d: %w", row, col, err)
		}
		return nil, err
	}
	if err := c.check(); err != nil {
		var ke keyError
		if errors.As(err, &ke) {
			if line := lineOf(b, ke.key); line > 0 {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
		}
		return nil, err
	}
	return &c, nil
}

// UnknownKeysError lists keys the file sets that misend does not know,
// each as "line N: section.key": usually typos, which must not silently
// leave the default in force.
type UnknownKeysError []string

func (e UnknownKeysError) Error() string { return "unknown key: " + strings.Join(e, "; ") }

// keyError is a bad value of one key, written section.key.
type keyError struct {
	key string
	err error
}

func (e keyError) Error() string { return e.key + ": " + e.err.Error() }
func (e keyError) Unwrap() error { return e.err }

func bad(key, format string, args ...any) error {
	return keyError{key: key, err: fmt.Errorf(format, args...)}
}

// lineOf finds the line where key (section.name) is set, 0 if not found.
func lineOf(doc []byte, key string) int {
	section, name := "", key
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		section, name = key[:i], key[i+1:]
	}
	cur := ""
	for n, line := range strings.Split(string(doc), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			cur = strings.Trim(t, "[] ")
			continue
		}
		k, _, ok := strings.Cut(t, "=")
		if ok && cur == section && strings.TrimSpace(k) == name {
			return n + 1
		}
	}
	return 0
}

func (c *Config) check() error {
	if (c.SMTP.TLSCert == "") != (c.SMTP.TLSKey == "") {
		return errors.New("smtp: tls_cert and tls_key go together")
	}
	if c.SMTP.MaxMessageBytes < 0 || c.SMTP.MaxRecipients < 0 || c.SMTP.MaxLineLength < 0 || c.SMTP.MaxHeaderBytes < 0 {
		return errors.New("smtp: limits must not be negative")
	}
	if w := c.Queue.DeliveryWorkers; w < 0 || w > 256 {
		return bad("queue.delivery_workers", "%d is outside 0 (default) to 256", w)
	}
	if c.SMTP.MaxLineLength > 0 && c.SMTP.MaxLineLength < 78 {
		return bad("smtp.max_line_length", "%d is below RFC 5322's recommended 78", c.SMTP.MaxLineLength)
	}
	if v := c.SMTP.FailSafe; v != "" && !policy.Verdict(v).Valid() {
		return bad("smtp.fail_safe", "unknown verdict %q (pass, warn, confirm, delay, hold, reject)", v)
	}
	switch c.Upstream.TLS {
	case "", "none", "opportunistic", "required":
	default:
		return bad("upstream.tls", "%q is not none, opportunistic or required", c.Upstream.TLS)
	}
	switch c.Notify.DefaultLang {
	case "", "ja", "en":
	default:
		return bad("notify.default_lang", "%q is not ja or en", c.Notify.DefaultLang)
	}
	if u := c.Notify.BaseURL; u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return bad("notify.base_url", "%q is not an http(s) URL", u)
	}
	if d := c.SIEM.Syslog; d != "" && !strings.HasPrefix(d, "udp://") && !strings.HasPrefix(d, "tcp://") && !strings.HasPrefix(d, "tls://") {
		return bad("siem.syslog", "%q is not udp://, tcp:// or tls://host:port", d)
	}
	if u := c.SIEM.HECURL; u != "" && !strings.HasPrefix(u, "https://") {
		return bad("siem.hec_url", "%q is not an https:// URL (the token and the events must be encrypted)", u)
	}
	if (c.SIEM.HECURL == "") != (c.SIEM.HECTokenFile == "") {
		return bad("siem.hec_token_file", "hec_url and hec_token_file go together")
	}
	if r := c.Retention; r != nil {
		for _, d := range []struct {
			key  string
			days int
		}{{"retention.decisions_days", r.DecisionsDays}, {"retention.audit_days", r.AuditDays}, {"retention.term_index_days", r.TermIndexDays},
			{"retention.held_days", r.HeldDays}, {"retention.journal_days", r.JournalDays}} {
			if d.days < 0 || d.days > 36500 {
				return bad(d.key, "%d is outside 0 (keep for ever) to 36500 days", d.days)
			}
		}
	}
	if c.Policy != nil {
		if err := c.Policy.Validate(); err != nil {
			return fmt.Errorf("policy: %w", err)
		}
	}
	if c.Approval != nil {
		if err := c.Approval.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// NetworkPrefixes returns the allowed client networks as netip prefixes.
func (s SMTP) NetworkPrefixes() []netip.Prefix {
	out := make([]netip.Prefix, 0, len(s.Networks))
	for _, p := range s.Networks {
		out = append(out, p.Prefix)
	}
	return out
}
