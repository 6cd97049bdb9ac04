package policy

import (
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// FuzzConfig: whatever a configuration file or a stored version holds,
// Validate accepts or refuses it without panicking, and what it accepts
// exports as TOML that reads back as the same policy.
func FuzzConfig(f *testing.F) {
	for _, s := range []string{
		sampleTOML,
		"trusted_domains = [\"group-co.co.jp\", \"監査法人.jp\", \"co.jp\"]\nexempt_senders = [\"noreply@\", \"a@b.example\", \"*@x\"]\n",
		"[default]\nbands = { warn = 0.5, hold = 0.4 }\n",
		"trusted_domains = [\"\", \" \", \"xn--\", \"a..b\", \"-a.example\"]\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		var cfg Config
		if toml.Unmarshal([]byte(src), &cfg) != nil {
			return
		}
		if cfg.Validate() != nil {
			return
		}
		for _, d := range cfg.TrustedDomains {
			if !cfg.Trusted(d) || cfg.Trusted("x"+d) && !strings.Contains(d, ".") {
				t.Fatalf("trusted %q not trusted", d)
			}
		}
		b, err := cfg.TOML()
		if err != nil {
			t.Fatal(err)
		}
		var back struct {
			Policy Config `toml:"policy"`
		}
		if err := toml.Unmarshal(b, &back); err != nil {
			t.Fatalf("%v in\n%s", err, b)
		}
		if err := back.Policy.Validate(); err != nil {
			t.Fatalf("export does not validate: %v\n%s", err, b)
		}
		b2, _ := back.Policy.TOML()
		if string(b) != string(b2) {
			t.Fatalf("round trip differs:\n%s\n---\n%s", b, b2)
		}
	})
}

// FuzzNormalizeDomain: a domain misend accepts is stable and trusted as
// itself.
func FuzzNormalizeDomain(f *testing.F) {
	for _, s := range []string{"Group-Co.CO.JP.", "監査法人.jp", "a@b", "ｇｒｏｕｐ.example", "xn--zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := NormalizeDomain(s)
		if !ok {
			return
		}
		if m, ok := NormalizeDomain(n); !ok || m != n {
			t.Fatalf("%q → %q → %q, %v", s, n, m, ok)
		}
	})
}
