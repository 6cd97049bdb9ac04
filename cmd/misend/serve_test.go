package main

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/config"
)

func TestServeFlagsOverrideConfig(t *testing.T) {
	cfg, err := config.Parse([]byte(`
[smtp]
listen = "127.0.0.1:2600"
max_recipients = 50
fail_safe = "delay"
[milter]
listen = "127.0.0.1:2601"
[upstream]
addr = "mx.corp.example:25"
tls = "required"
cut_through = false
[queue]
dir = "/var/spool/misend"
keep_finished = "24h"
[web]
oidc_issuer = "https://login.example/v2.0"
oidc_client_id = "from-file"
secure_cookies = true
time_zone = "Asia/Tokyo"
`))
	if err != nil {
		t.Fatal(err)
	}
	smtp, rcpts, keep, workers := "127.0.0.1:9", 7, time.Hour, 3
	c := &serveCmd{SMTP: &smtp, MaxRcpts: &rcpts, KeepFinished: &keep, Workers: &workers, webFlags: webFlags{OIDCClientID: "from-flag"}}
	c.merge(cfg)
	tests := []struct{ name, got, want string }{
		{"flag wins", cfg.SMTP.Listen, "127.0.0.1:9"},
		{"file kept", cfg.Milter.Listen, "127.0.0.1:2601"},
		{"file tls", cfg.Upstream.TLS, "required"},
		{"default http", cfg.HTTP.Listen, "127.0.0.1:8025"},
		{"file spool", cfg.Queue.Dir, "/var/spool/misend"},
		{"file fail-safe", cfg.SMTP.FailSafe, "delay"},
		{"file oidc issuer", c.OIDCIssuer, "https://login.example/v2.0"},
		{"flag oidc client", c.OIDCClientID, "from-flag"},
		{"file time zone", c.WebTimeZone, "Asia/Tokyo"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if !c.SecureCookies || c.NoLocalAccounts {
		t.Errorf("web booleans: secure %v, no local accounts %v", c.SecureCookies, c.NoLocalAccounts)
	}
	if n := cutThroughSessions(cfg.Upstream.CutThrough); n != 0 {
		t.Errorf("cut_through = false in the file gives %d sessions, want 0", n)
	}
	on := true
	c = &serveCmd{CutThrough: &on}
	c.merge(cfg)
	if n := cutThroughSessions(cfg.Upstream.CutThrough); n == 0 {
		t.Error("--cut-through did not override the file's cut_through = false")
	}
	if cfg.Queue.DeliveryWorkers != 3 {
		t.Errorf("delivery workers %d, want the flag's 3", cfg.Queue.DeliveryWorkers)
	}
	if cfg.SMTP.MaxRecipients != 7 || time.Duration(cfg.Queue.KeepFinished) != time.Hour {
		t.Errorf("numeric flags not applied: %d %v", cfg.SMTP.MaxRecipients, cfg.Queue.KeepFinished)
	}
	empty := ""
	c = &serveCmd{HTTP: &empty}
	cfg = &config.Config{}
	c.merge(cfg)
	if cfg.HTTP.Listen != "" || cfg.Upstream.TLS != "opportunistic" || cfg.Queue.Dir != "./misend-spool" || cutThroughSessions(cfg.Upstream.CutThrough) == 0 {
		t.Errorf("defaults: %+v", cfg)
	}
}

func TestServeRefusesBadSettings(t *testing.T) {
	dir := t.TempDir()
	loose := filepath.Join(dir, "users")
	os.WriteFile(loose, []byte("a:b\n"), 0o644)
	tests := []struct {
		name string
		cmd  serveCmd
		cfg  config.Config
		want string
	}{
		{"no upstream", serveCmd{}, config.Config{}, "no upstream"},
		{"bad tls flag", serveCmd{TLS: ptr("maybe")}, config.Config{Upstream: config.Upstream{Addr: "x:25"}}, "--upstream-tls"},
		{"bad fail-safe", serveCmd{FailSafe: ptr("ignore")}, config.Config{Upstream: config.Upstream{Addr: "x:25"}}, "--fail-safe"},
		{"bad network", serveCmd{Network: []string{"10.0.0.0/40"}}, config.Config{Upstream: config.Upstream{Addr: "x:25"}}, "--network"},
		{"cert without key", serveCmd{TLSCert: ptr("c.pem")}, config.Config{Upstream: config.Upstream{Addr: "x:25"}}, "--tls-key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			tc.cmd.merge(&cfg)
			_, _, err := tc.cmd.options(context.Background(), &Globals{DB: filepath.Join(dir, "m.db")}, &cfg, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := readUsers(loose); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable auth file: %v", err)
	}
	ok := filepath.Join(dir, "users-ok")
	os.WriteFile(ok, []byte("# relay users\nmta:s3cret\n\n"), 0o600)
	if u, err := readUsers(ok); err != nil || u.Authenticate("mta", "s3cret", net.IPv4(127, 0, 0, 1)) != nil || len(u.Clear) != 1 {
		t.Errorf("auth file: %+v %v", u, err)
	}
}

func ptr[T any](v T) *T { return &v }

// serve says at start when held mail will sit on disk in the clear (item
// 10 of issue 12), and says nothing when a key is given.
func TestWarnPlainSpool(t *testing.T) {
	var b strings.Builder
	log := slog.New(slog.NewTextHandler(&b, nil))
	warnPlainSpool(log, "/var/spool/misend", make([]byte, 32))
	if b.Len() != 0 {
		t.Errorf("warned with a key: %s", b.String())
	}
	warnPlainSpool(log, "/var/spool/misend", nil)
	if !strings.Contains(b.String(), "level=WARN") || !strings.Contains(b.String(), "not encrypted") || !strings.Contains(b.String(), "--spool-key") {
		t.Errorf("no warning without a key: %q", b.String())
	}
}
