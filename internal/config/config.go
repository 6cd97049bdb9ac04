// Package config reads misend's TOML configuration file. Unknown keys and
// bad values are errors that name the key and line, so a typo never silently
// falls back to a default.
//
// It only reads and checks; the packages it configures apply defaults.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// Config is the whole file. Every `misend serve` flag has a twin here.
type Config struct {
	DB         string         `toml:"db"`
	OrgDomains []string       `toml:"org_domains"`
	SMTP       SMTP           `toml:"smtp"`
	Upstream   Upstream       `toml:"upstream"`
	HTTP       Listener       `toml:"http"`
	Milter     Listener       `toml:"milter"`
	Queue      Queue          `toml:"queue"`
	Policy     map[string]any `toml:"policy"` // read by the policy package
}

// SMTP configures the gateway's listener.
type SMTP struct {
	Listen          string   `toml:"listen"`
	TLSCert         string   `toml:"tls_cert"`
	TLSKey          string   `toml:"tls_key"`
	Networks        []string `toml:"networks"`
	MaxMessageBytes int64    `toml:"max_message_bytes"`
	MaxRecipients   int      `toml:"max_recipients"`
	FailSafe        string   `toml:"fail_safe"`
}

// Upstream is the smarthost misend relays to.
type Upstream struct {
	Addr         string `toml:"addr"`
	TLS          string `toml:"tls"` // none, opportunistic, required
	Username     string `toml:"username"`
	PasswordFile string `toml:"password_file"`
}

// Listener is a plain listen address.
type Listener struct {
	Listen string `toml:"listen"`
}

// Queue configures the spool.
type Queue struct {
	Dir        string   `toml:"dir"`
	RetryFirst Duration `toml:"retry_first"`
	RetryMax   Duration `toml:"retry_max"`
	MaxAge     Duration `toml:"max_age"`
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
			return nil, fmt.Errorf("unknown key: %s", sm.String())
		}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, fmt.Errorf("line %d column %d: %w", row, col, err)
		}
		return nil, err
	}
	return &c, c.check()
}

func (c *Config) check() error {
	for _, n := range c.SMTP.Networks {
		if _, err := netip.ParsePrefix(n); err != nil {
			return fmt.Errorf("smtp.networks: %q is no CIDR network: %w", n, err)
		}
	}
	if (c.SMTP.TLSCert == "") != (c.SMTP.TLSKey == "") {
		return errors.New("smtp: tls_cert and tls_key go together")
	}
	if c.SMTP.MaxMessageBytes < 0 || c.SMTP.MaxRecipients < 0 {
		return errors.New("smtp: limits must not be negative")
	}
	switch c.SMTP.FailSafe {
	case "", "pass", "warn", "delay", "confirm", "hold", "reject":
	default:
		return fmt.Errorf("smtp.fail_safe: unknown verdict %q", c.SMTP.FailSafe)
	}
	switch c.Upstream.TLS {
	case "", "none", "opportunistic", "required":
	default:
		return fmt.Errorf("upstream.tls: %q is not none, opportunistic or required", c.Upstream.TLS)
	}
	return nil
}
