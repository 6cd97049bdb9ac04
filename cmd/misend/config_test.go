package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/misend/misend/internal/config"
)

func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "spool.key")
	if err := os.WriteFile(key, bytes.Repeat([]byte("ab"), 32), 0o600); err != nil {
		t.Fatal(err)
	}
	base := "db = \"" + filepath.Join(dir, "m.db") + "\"\norg_domains = [\"corp.example\"]\n[upstream]\naddr = \"127.0.0.1:2527\"\n" +
		"[queue]\ndir = \"" + dir + "\"\nencryption_key_file = \"" + key + "\"\n[retention]\naudit_days = 1095\nheld_days = 14\n"
	tests := []struct {
		name      string
		doc       string
		wantErr   bool
		wantCodes []string
	}{
		{"warnings only exit zero", base, false, []string{"no_public_url"}},
		{"typo is an error with its line", base + "[notify]\nbase_ulr = \"https://x.example\"\n", true, []string{"unknown_key"}},
		{"bad value", base + "[notify]\ndefault_lang = \"fr\"\n", true, []string{"unreadable"}},
		{"no upstream", strings.Replace(base, "addr = \"127.0.0.1:2527\"", "", 1) + "[notify]\nbase_url = \"https://misend.corp.example\"\n", true, []string{"no_upstream"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, "misend.toml")
			if err := os.WriteFile(p, []byte(tt.doc), 0o640); err != nil {
				t.Fatal(err)
			}
			var codes []string
			advice := reviewConfig(p)
			for _, a := range advice {
				codes = append(codes, a.Code)
			}
			if strings.Join(codes, ",") != strings.Join(tt.wantCodes, ",") {
				t.Errorf("codes %v, want %v", codes, tt.wantCodes)
			}
			if err := (&configCheckCmd{Lang: "en"}).Run(&Globals{Config: p}); (err != nil) != tt.wantErr {
				t.Errorf("exit error %v, want error %v", err, tt.wantErr)
			}
			var out bytes.Buffer
			if err := printAdvice(&out, advice, "ja", false); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "件") {
				t.Errorf("Japanese summary missing: %s", out.String())
			}
		})
	}
	var out bytes.Buffer
	printAdvice(&out, []config.Advice{{Severity: config.Error, Code: "unknown_key", Detail: "line 3: http.listne"}}, "en", false)
	if !strings.Contains(out.String(), "line 3: http.listne: misend knows no such setting") {
		t.Errorf("typo not named: %s", out.String())
	}
}

func TestGlobalsFromConfig(t *testing.T) {
	p := filepath.Join(t.TempDir(), "misend.toml")
	os.WriteFile(p, []byte("db = \"/var/lib/misend/misend.db\"\norg_domains = [\"corp.example\"]\n"), 0o640)
	tests := []struct {
		command string
		g       Globals
		wantDB  string
		wantOrg string
	}{
		{"import <paths>", Globals{Config: p, DB: defaultDB}, "/var/lib/misend/misend.db", "corp.example"},
		{"import <paths>", Globals{Config: p, DB: "other.db", OrgDomain: []string{"other.example"}}, "other.db", "other.example"},
		{"init", Globals{Config: p, DB: defaultDB}, defaultDB, ""},
		{"check <path>", Globals{DB: defaultDB}, defaultDB, ""},
	}
	for _, tt := range tests {
		g := tt.g
		if err := g.fromConfig(tt.command); err != nil {
			t.Fatal(err)
		}
		if g.DB != tt.wantDB || strings.Join(g.OrgDomain, ",") != tt.wantOrg {
			t.Errorf("%s %+v: db %q org %v", tt.command, tt.g, g.DB, g.OrgDomain)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(bad, []byte("dbb = 1\n"), 0o640)
	if err := (&Globals{Config: bad, DB: defaultDB}).fromConfig("import <paths>"); err == nil {
		t.Error("a configuration with a typo was used")
	}
}
