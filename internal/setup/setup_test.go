package setup

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/policy"
)

func TestConfigReadsBack(t *testing.T) {
	tests := []struct {
		name  string
		org   Org
		check func(t *testing.T, c *config.Config)
	}{
		{"everything given", Org{Domains: []string{"Corp.example", "corp.co.jp"}, PublicURL: "https://misend.corp.example", Lang: "en",
			TimeZone: "Asia/Tokyo", Networks: []string{"10.0.0.0/8"}, Upstream: "mx.corp.example:25", SMTP: "0.0.0.0:2525",
			StateDir: "/srv/misend", SpoolKey: "/etc/misend/spool.key"},
			func(t *testing.T, c *config.Config) {
				want := config.Config{DB: "/srv/misend/misend.db", OrgDomains: []string{"corp.example", "corp.co.jp"}}
				if c.DB != want.DB || !cmp.Equal(c.OrgDomains, want.OrgDomains) {
					t.Errorf("db %q domains %v", c.DB, c.OrgDomains)
				}
				if c.Notify.BaseURL != "https://misend.corp.example" || c.Notify.DefaultLang != "en" || c.Notify.From != "misend@corp.example" {
					t.Errorf("notify %+v", c.Notify)
				}
				if c.Web.TimeZone != "Asia/Tokyo" || c.Upstream.Addr != "mx.corp.example:25" || c.SMTP.Listen != "0.0.0.0:2525" {
					t.Errorf("web %+v upstream %+v smtp %+v", c.Web, c.Upstream, c.SMTP)
				}
				if len(c.SMTP.Networks) != 1 || c.SMTP.Networks[0].String() != "10.0.0.0/8" {
					t.Errorf("networks %v", c.SMTP.Networks)
				}
				if c.Queue.Dir != "/srv/misend/spool" || c.Queue.EncryptionKeyFile != "/etc/misend/spool.key" {
					t.Errorf("queue %+v", c.Queue)
				}
			}},
		{"only the domain: safe defaults, shadow mode", Org{Domains: []string{"corp.example"}},
			func(t *testing.T, c *config.Config) {
				if c.DB != "/var/lib/misend/misend.db" || c.SMTP.Listen != "127.0.0.1:2525" || c.HTTP.Listen != "127.0.0.1:8025" {
					t.Errorf("defaults: %q %q %q", c.DB, c.SMTP.Listen, c.HTTP.Listen)
				}
				if c.Notify.BaseURL != "" || c.Upstream.Addr != "" || c.Queue.EncryptionKeyFile != "" || c.Notify.DefaultLang != "ja" {
					t.Errorf("invented a value: %+v %+v %+v", c.Notify, c.Upstream, c.Queue)
				}
				if c.Policy == nil || c.Policy.Default.Shadow == nil || !*c.Policy.Default.Shadow {
					t.Fatalf("not in shadow mode: %+v", c.Policy)
				}
				// Apart from shadow mode, the written policy is the built-in one.
				got, want := *c.Policy, policy.DefaultConfig()
				got.Default.Shadow = nil
				if err := want.Validate(); err != nil {
					t.Fatal(err)
				}
				if !cmp.Equal(got.Default, want.Default) {
					t.Errorf("policy differs from the built-in one: %s", cmp.Diff(want.Default, got.Default))
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.org.Config()
			if err != nil {
				t.Fatal(err)
			}
			c, err := config.Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestConfigRefusesBadInput(t *testing.T) {
	tests := []struct {
		org  Org
		want string
	}{
		{Org{}, "--org-domain"},
		{Org{Domains: []string{"alice@corp.example"}}, "not a mail domain"},
		{Org{Domains: []string{"corp.example"}, PublicURL: "misend.corp.example"}, "not an http(s) URL"},
		{Org{Domains: []string{"corp.example"}, Lang: "fr"}, "not ja or en"},
		{Org{Domains: []string{"corp.example"}, TimeZone: "Mars/Olympus"}, "time zone"},
		{Org{Domains: []string{"corp.example"}, Networks: []string{"10.0.0.1"}}, "CIDR"},
	}
	for _, tt := range tests {
		_, err := tt.org.Config()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.org, err, tt.want)
		}
	}
}

func TestWriteConfigRefusesToOverwrite(t *testing.T) {
	p := filepath.Join(t.TempDir(), "etc", "misend.toml")
	if err := WriteConfig(p, []byte("one"), false); err != nil {
		t.Fatal(err)
	}
	if err := WriteConfig(p, []byte("two"), false); !errors.Is(err, ErrExists) {
		t.Fatalf("second write: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "one" {
		t.Fatalf("overwritten: %q", b)
	}
	if err := WriteConfig(p, []byte("two"), true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "two" {
		t.Fatalf("--force did not replace: %q", b)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
}

func TestLangOf(t *testing.T) {
	for in, want := range map[string]string{"ja_JP.UTF-8": "ja", "en_GB.UTF-8": "en", "C.UTF-8": "", "": "", "POSIX": ""} {
		if got := LangOf(in); got != want {
			t.Errorf("LangOf(%q) = %q, want %q", in, got, want)
		}
	}
}
