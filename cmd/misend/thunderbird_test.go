package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
	"github.com/misend/misend/internal/testneeds"
)

// startServedWithHistory starts misend as serve assembles it over a
// database that has learned a year of 佐藤's mail: 田中 and 鈴木 at
// partner A, often, 山本 at partner B now and then, and 上田 in his
// department. It returns the
// server and a personal API token of 佐藤's.
func startServedWithHistory(t *testing.T) (*served, string) {
	t.Helper()
	ctx := context.Background()
	dbPath := pgtest.Path(t, t.TempDir(), "m.db")
	people := []directory.Person{
		{Address: "sato@corp.example", Name: "佐藤 一郎", Department: "営業部", Roles: []directory.Role{directory.RoleSender}, Lang: "ja"},
		{Address: "ueda@corp.example", Name: "上田 花子", Department: "営業部"},
	}
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := directory.Import(ctx, db, people, []string{"corp.example"}); err != nil {
		t.Fatal(err)
	}
	if err := model.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}})
	start := time.Now().AddDate(-1, 0, 0)
	sato := mail.Address{Name: "佐藤 一郎", Addr: "sato@corp.example"}
	for i := range 150 {
		to := []mail.Address{{Name: "田中 太郎", Addr: "tanaka@partner-a.example"}}
		if i%3 == 0 {
			to = append(to, mail.Address{Name: "鈴木 次郎", Addr: "suzuki@partner-a.example"})
		}
		m.Learn(&mail.Message{MessageID: fmt.Sprintf("a%d@corp.example", i), Date: start.Add(time.Duration(i) * 55 * time.Hour),
			From: sato, To: to, Subject: "お見積もりの件", Text: "A社 田中様\nいつもお世話になっております。資料を送ります。"})
	}
	for i := range 20 {
		m.Learn(&mail.Message{MessageID: fmt.Sprintf("b%d@corp.example", i), Date: start.Add(time.Duration(i) * 400 * time.Hour),
			From: sato, To: []mail.Address{{Name: "山本 三郎", Addr: "yamamoto@partner-b.example"}}, Subject: "定例会",
			Text: "B社 山本様\n来週の定例会の件です。"})
	}
	for i := range 40 {
		m.Learn(&mail.Message{MessageID: fmt.Sprintf("c%d@corp.example", i), Date: start.Add(time.Duration(i) * 200 * time.Hour),
			From: sato, To: []mail.Address{{Name: "上田 花子", Addr: "ueda@corp.example"}}, Subject: "週報", Text: "今週の報告です。"})
	}
	if err := m.Save(ctx, db); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := startServedOn(t, dbPath, people, "127.0.0.1:0")
	secret, err := stdout(t, func() error {
		return (&tokenCreateCmd{Name: "thunderbird", Expires: "1d", Address: "sato@corp.example"}).Run(&Globals{DB: dbPath})
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, strings.TrimSpace(secret)
}

// TestThunderbirdAddinAgainstServe runs the Thunderbird add-in's Node
// tests (internal/addin/jstest/thunderbird.test.js) against misend serve
// on loopback: the wrong Tanaka opens the checklist with the suggestion,
// an honest draft passes, a recipient confirmed once passes after, and a
// token misend refuses follows the send mode. None of them may skip.
func TestThunderbirdAddinAgainstServe(t *testing.T) {
	if testing.Short() {
		t.Skip("starts misend and node; skipped with -short")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		testneeds.Missing(t, "node", "no node to run the add-in's tests (apt-get install nodejs)")
	}
	s, tok := startServedWithHistory(t)
	// serve offers the add-in, built for the address it is asked on, and
	// its checklist page.
	for p, ctype := range map[string]string{"/addin/thunderbird/misend.xpi": "application/x-xpinstall", "/addin/thunderbird/popup.html": "text/html; charset=utf-8"} {
		resp, err := http.Get("http://" + s.HTTP.String() + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ctype {
			t.Errorf("%s: %d %s", p, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=tap", filepath.Join("..", "..", "internal", "addin", "jstest", "thunderbird.test.js"))
	cmd.Env = append(os.Environ(), "MISEND_TEST_URL=http://"+s.HTTP.String(), "MISEND_TEST_TOKEN="+tok)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test: %v\n%s", err, out)
	}
	count := func(what string) int {
		m := regexp.MustCompile(`(?m)^# ` + what + ` (\d+)$`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("no %q in the test report:\n%s", what, out)
		}
		var n int
		fmt.Sscan(string(m[1]), &n)
		return n
	}
	if pass, fail, skipped := count("pass"), count("fail"), count("skipped"); fail != 0 || skipped != 0 || pass < 10 {
		t.Fatalf("%d passed, %d failed, %d skipped:\n%s", pass, fail, skipped, out)
	}
	served := regexp.MustCompile(`(?m)^ok \d+ - served: `).FindAll(out, -1)
	if len(served) != 6 {
		t.Fatalf("%d tests against misend passed, want 6:\n%s", len(served), out)
	}
}

// TestThunderbirdXPI: the .xpi misend addin thunderbird writes is a zip
// with manifest.json first, asking for no permission beyond compose,
// storage and misend's own URL, and carrying every file the manifest and
// pages name.
func TestThunderbirdXPI(t *testing.T) {
	tests := []struct {
		url, want string
	}{
		{"https://misend.corp.example", "https://misend.corp.example/*"},
		{"https://misend.corp.example:8443/", "https://misend.corp.example/*"},
		{"https://gw.corp.example/misend", "https://gw.corp.example/misend/*"},
		{"http://127.0.0.1:8025", "http://127.0.0.1/*"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "misend.xpi")
			c := &thunderbirdCmd{PublicURL: tt.url, Out: out, SendMode: "block", Timeout: 5 * time.Second, Lang: "ja", Version: "1.2.3"}
			if err := c.Run(&Globals{OrgDomain: []string{"corp.example"}}); err != nil {
				t.Fatal(err)
			}
			z, err := zip.OpenReader(out)
			if err != nil {
				t.Fatal(err)
			}
			defer z.Close()
			files := map[string][]byte{}
			for _, f := range z.File {
				r, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(r)
				r.Close()
				if err != nil {
					t.Fatalf("%s: %v", f.Name, err)
				}
				files[f.Name] = b
			}
			if z.File[0].Name != "manifest.json" {
				t.Errorf("first file %s, want manifest.json", z.File[0].Name)
			}
			var m struct {
				ManifestVersion int      `json:"manifest_version"`
				Version         string   `json:"version"`
				Permissions     []string `json:"permissions"`
				Settings        struct {
					Gecko struct {
						ID        string
						UpdateURL string `json:"update_url"`
					} `json:"gecko"`
				} `json:"browser_specific_settings"`
				Background struct{ Scripts []string } `json:"background"`
				Options    struct{ Page string }      `json:"options_ui"`
				Icons      map[string]string          `json:"icons"`
			}
			if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
				t.Fatal(err)
			}
			if want := []string{"compose", "storage", tt.want}; !slices.Equal(m.Permissions, want) {
				t.Errorf("permissions %q, want %q", m.Permissions, want)
			}
			if m.ManifestVersion != 2 || m.Version != "1.2.3" || !strings.HasPrefix(m.Settings.Gecko.ID, "misend@") || m.Settings.Gecko.UpdateURL != "" {
				t.Errorf("manifest %+v", m)
			}
			named := append(append([]string{m.Options.Page, "popup.html", "_locales/en/messages.json", "_locales/ja/messages.json"}, m.Background.Scripts...), mapValues(m.Icons)...)
			for _, page := range []string{"popup.html", "options.html"} {
				for _, src := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllSubmatch(files[page], -1) {
					named = append(named, string(src[1]))
				}
			}
			for _, n := range named {
				if _, ok := files[n]; !ok {
					t.Errorf("%s is named but not in the .xpi", n)
				}
			}
			cfg := regexp.MustCompile(`(?m)^var MISEND_CONFIG = (.*); // misend:config$`).FindSubmatch(files["config.js"])
			if cfg == nil {
				t.Fatal("config.js has no config line")
			}
			var conf struct {
				API, SendMode, Lang string
				TimeoutMs           int
				InsideDomains       []string
			}
			if err := json.Unmarshal(cfg[1], &conf); err != nil || conf.API != strings.TrimSuffix(tt.url, "/") || conf.SendMode != "block" ||
				conf.Lang != "ja" || conf.TimeoutMs != 5000 || !slices.Equal(conf.InsideDomains, []string{"corp.example"}) {
				t.Errorf("config %s: %v", cfg[1], err)
			}
		})
	}
	for _, bad := range []thunderbirdCmd{{}, {PublicURL: "ftp://x.example"}, {PublicURL: "https://x.example", SendMode: "Block"}, {PublicURL: "https://x.example", Version: "1.0-beta"}} {
		bad.Out = filepath.Join(t.TempDir(), "x.xpi")
		if bad.Timeout == 0 {
			bad.Timeout = 5 * time.Second
		}
		if err := bad.Run(&Globals{}); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestAddinVersion(t *testing.T) {
	for v, want := range map[string]string{"v1.4.2": "1.4.2", "v1.4.2-rc.1": "1.4.2", "1.0.10": "1.0.10", "(devel)": "1.0.0", "v01.2.3": "1.0.0", "": "1.0.0"} {
		if got := addinVersion(v); got != want {
			t.Errorf("addinVersion(%q) = %q, want %q", v, got, want)
		}
	}
}
