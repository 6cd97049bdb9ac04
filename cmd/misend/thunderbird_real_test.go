package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/misend/misend/internal/addin"
)

// TestThunderbirdReal sends through a real, headless Thunderbird with the
// add-in installed the way an administrator deploys it: policies.json
// (ExtensionSettings installs the .xpi, 3rdparty gives it misend's URL and
// a token). A second, test-only add-in writes and sends the drafts
// (compose.beginNew, compose.sendMessage) and reports what Thunderbird
// answered. The honest message must reach misend's gateway; the wrong
// Tanaka's must stop at the checklist window.
//
// It writes /etc/thunderbird/policies/policies.json, so it runs only when
// asked (MISEND_THUNDERBIRD=1), as root, with Thunderbird installed.
func TestThunderbirdReal(t *testing.T) {
	if os.Getenv("MISEND_THUNDERBIRD") != "1" {
		t.Skip("set MISEND_THUNDERBIRD=1 to send through a real Thunderbird (writes /etc/thunderbird/policies)")
	}
	tb, err := exec.LookPath("thunderbird")
	if err != nil || os.Geteuid() != 0 {
		t.Fatalf("needs thunderbird installed and root: %v", err)
	}
	s, tok := startServedWithHistory(t)
	base := "http://" + s.HTTP.String()
	dir := t.TempDir()

	// What the driving add-in reports.
	var mu sync.Mutex
	var reports []string
	rl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go http.Serve(rl, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		reports = append(reports, string(b))
		mu.Unlock()
		t.Logf("thunderbird: %s", b)
	}))
	defer rl.Close()

	misendXPI := filepath.Join(dir, "misend.xpi")
	var buf bytes.Buffer
	if err := (addin.Thunderbird{PublicURL: base, ID: "misend@corp.example", SendMode: addin.Block, InsideDomains: []string{"corp.example"}}).XPI(&buf); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(misendXPI, buf.Bytes(), 0o644)
	driverXPI := filepath.Join(dir, "driver.xpi")
	writeZip(t, driverXPI, map[string]string{
		"manifest.json": `{"manifest_version": 2, "name": "driver", "version": "1.0",
			"browser_specific_settings": {"gecko": {"id": "driver@misend.test"}},
			"permissions": ["compose", "compose.send", "accountsRead", "http://127.0.0.1/*"],
			"background": {"scripts": ["driver.js"]}}`,
		"driver.js": `"use strict";
const report = (o) => fetch("http://` + rl.Addr().String() + `/", {method: "POST", body: JSON.stringify(o)}).catch(() => {});
async function send(name, to) {
  const tab = await messenger.compose.beginNew({to: [to], subject: name, plainTextBody: "A社 田中様\n\nお見積もりをお送りします。" + name, isPlainText: true});
  await new Promise((r) => setTimeout(r, 3000));
  try {
    const r = await messenger.compose.sendMessage(tab.id, {mode: "sendNow"});
    report({name, sent: r});
  } catch (e) {
    report({name, error: String(e)});
  }
}
(async () => {
  report({started: true, accounts: (await messenger.accounts.list()).length});
  await new Promise((r) => setTimeout(r, 5000));
  send("honest", "田中 太郎 <tanaka@partner-a.example>");
  await new Promise((r) => setTimeout(r, 10000));
  send("wrong", "田中 太郎 <tanaka@partnr-a.example>");
  await new Promise((r) => setTimeout(r, 8000));
  report({windows: (await messenger.windows.getAll()).map((w) => w.type)});
})();
`,
	})
	policies := map[string]any{"policies": map[string]any{
		"ExtensionSettings": map[string]any{
			"misend@corp.example": map[string]any{"installation_mode": "force_installed", "install_url": "file://" + misendXPI},
			"driver@misend.test":  map[string]any{"installation_mode": "force_installed", "install_url": "file://" + driverXPI},
		},
		"3rdparty": map[string]any{"Extensions": map[string]any{"misend@corp.example": map[string]any{"server": base, "token": tok, "sendMode": "block"}}},
	}}
	pj, _ := json.MarshalIndent(policies, "", "  ")
	const policyFile = "/etc/thunderbird/policies/policies.json"
	if _, err := os.Stat(policyFile); err == nil {
		t.Fatalf("%s exists already; not replacing it", policyFile)
	}
	os.MkdirAll(filepath.Dir(policyFile), 0o755)
	if err := os.WriteFile(policyFile, pj, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(policyFile)

	profile := filepath.Join(dir, "profile")
	os.MkdirAll(profile, 0o700)
	prefs := []string{
		`"mail.accountmanager.accounts", "account1"`, `"mail.accountmanager.defaultaccount", "account1"`,
		`"mail.account.account1.identities", "id1"`, `"mail.account.account1.server", "server1"`,
		`"mail.server.server1.type", "none"`, `"mail.server.server1.hostname", "Local Folders"`, `"mail.server.server1.userName", "nobody"`, `"mail.server.server1.name", "Local Folders"`,
		`"mail.identity.id1.fullName", "佐藤 一郎"`, `"mail.identity.id1.useremail", "sato@corp.example"`, `"mail.identity.id1.valid", true`,
		`"mail.identity.id1.smtpServer", "smtp1"`, `"mail.identity.id1.fcc", false`, `"mail.identity.id1.compose_html", false`,
		`"mail.smtpservers", "smtp1"`, `"mail.smtp.defaultserver", "smtp1"`, `"mail.smtpserver.smtp1.hostname", "127.0.0.1"`,
		fmt.Sprintf(`"mail.smtpserver.smtp1.port", %d`, s.SMTP.(*net.TCPAddr).Port), `"mail.smtpserver.smtp1.authMethod", 1`, `"mail.smtpserver.smtp1.try_ssl", 0`,
		`"xpinstall.signatures.required", false`, `"extensions.autoDisableScopes", 0`, `"mail.shell.checkDefaultClient", false`,
		`"mailnews.start_page.enabled", false`, `"mail.provider.suppress_dialog_on_startup", true`, `"datareporting.policy.dataSubmissionEnabled", false`,
		`"app.update.enabled", false`, `"mail.spellcheck.inline", false`,
	}
	var uj strings.Builder
	for _, p := range prefs {
		fmt.Fprintf(&uj, "user_pref(%s);\n", p)
	}
	os.WriteFile(filepath.Join(profile, "user.js"), []byte(uj.String()), 0o600)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tb, "--headless", "--profile", profile, "--no-remote")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "MOZ_HEADLESS=1", "HOME="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(70 * time.Second)
	honest := false
	for time.Now().Before(deadline) && !honest {
		for _, m := range s.up.Messages() {
			if bytes.Contains(m.Data, []byte("honest")) {
				honest = true
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(15 * time.Second)
	cmd.Process.Kill()
	cmd.Wait()
	mu.Lock()
	defer mu.Unlock()
	t.Logf("reports: %q\nthunderbird output:\n%s", reports, out.String())
	if !honest {
		t.Fatal("the honest message never reached misend's gateway")
	}
	for _, m := range s.up.Messages() {
		if bytes.Contains(m.Data, []byte("wrong")) {
			t.Fatal("the wrong Tanaka's message was sent")
		}
	}
	// The add-in asked misend about both drafts, and the checklist window
	// is what holds the wrong one.
	req, _ := http.NewRequest("GET", base+"/api/v1/decisions", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Decisions []struct {
			Via     string `json:"via"`
			Verdict string `json:"verdict"`
		} `json:"decisions"`
	}
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &list)
	t.Logf("decisions: %s", b)
	var api []string
	for _, d := range list.Decisions {
		if d.Via == "api" {
			api = append(api, d.Verdict)
		}
	}
	if len(api) != 2 {
		t.Errorf("the add-in's checks: %q, want two", api)
	}
	if !strings.Contains(strings.Join(reports, " "), `"popup"`) {
		t.Error("no checklist window open")
	}
}

func writeZip(t *testing.T, path string, files map[string]string) {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for n, c := range files {
		w, _ := z.Create(n)
		w.Write([]byte(c))
	}
	z.Close()
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
