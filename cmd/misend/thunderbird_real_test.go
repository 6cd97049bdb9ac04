package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
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
	if err := os.WriteFile(misendXPI, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
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

	ml, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	marionettePort := ml.Addr().(*net.TCPAddr).Port
	ml.Close()
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
		// Japanese when its language pack is installed (thunderbird-l10n-ja).
		`"intl.locale.requested", "ja,en-US"`,
		// The checklist window is driven over Marionette from the main
		// process: extension pages live there, not in a content process.
		`"extensions.webextensions.remote", false`, fmt.Sprintf(`"marionette.port", %d`, marionettePort),
	}
	var uj strings.Builder
	for _, p := range prefs {
		fmt.Fprintf(&uj, "user_pref(%s);\n", p)
	}
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(uj.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tb, "--headless", "--marionette", "-remote-allow-system-access", "--profile", profile, "--no-remote")
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
	// The wrong Tanaka's draft waits in the checklist window: change the
	// recipient to misend's suggestion there and press Send.
	shot, err := answerChecklist(t, marionettePort, "tanaka@partnr-a.example", 40*time.Second)
	if err != nil {
		t.Errorf("checklist window: %v", err)
	} else if shot != nil {
		if dir := os.Getenv("MISEND_BROWSER_ARTIFACTS"); dir != "" {
			os.WriteFile(filepath.Join(dir, "thunderbird-checklist.png"), shot, 0o644)
		}
	}
	replaced := false
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end) && !replaced; time.Sleep(500 * time.Millisecond) {
		for _, m := range s.up.Messages() {
			if bytes.Contains(m.Data, []byte("wrong")) && slices.Contains(m.To, "tanaka@partner-a.example") {
				replaced = true
			}
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	mu.Lock()
	defer mu.Unlock()
	t.Logf("reports: %q\nthunderbird output:\n%s", reports, out.String())
	if !honest {
		t.Fatal("the honest message never reached misend's gateway")
	}
	for _, m := range s.up.Messages() {
		if bytes.Contains(m.Data, []byte("wrong")) && !slices.Equal(m.To, []string{"tanaka@partner-a.example"}) {
			t.Errorf("the wrong Tanaka's message went to %q", m.To)
		}
	}
	if !replaced {
		t.Error("the message changed to misend's suggestion in the checklist window never reached the gateway")
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
	if len(api) < 2 {
		t.Errorf("the add-in's checks: %q, want at least two", api)
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

// answerChecklist finds misend's checklist window in the Thunderbird
// Marionette listens for on port, takes a screenshot of it, presses the
// button changing addr to misend's suggestion, then Send.
func answerChecklist(t *testing.T, port int, addr string, wait time.Duration) ([]byte, error) {
	var c *marionette
	var err error
	for end := time.Now().Add(wait); time.Now().Before(end); time.Sleep(time.Second) {
		if c, err = dialMarionette(port); err == nil {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	defer c.conn.Close()
	if _, err := c.call("WebDriver:NewSession", map[string]any{}); err != nil {
		return nil, err
	}
	if _, err := c.call("Marionette:SetContext", map[string]any{"value": "chrome"}); err != nil {
		return nil, err
	}
	// The checklist window is Thunderbird's extension popup holding
	// popup.html; wait for it to show the flagged recipient.
	find := `
const [addr] = arguments;
for (const w of Services.wm.getEnumerator(null)) {
  const f = w.document.getElementById("requestFrame");
  const d = f && f.contentDocument;
  if (d && d.location.href.includes("popup.html") && d.querySelector("button[data-replace='" + addr + "']")) {
    return w.document.title + " | " + d.body.innerText;
  }
}
return null;`
	var text string
	for end := time.Now().Add(wait); time.Now().Before(end) && text == ""; time.Sleep(500 * time.Millisecond) {
		r, err := c.call("WebDriver:ExecuteScript", map[string]any{"script": find, "args": []any{addr}})
		if err != nil {
			return nil, err
		}
		json.Unmarshal(r["value"], &text)
	}
	if text == "" {
		return nil, fmt.Errorf("no checklist window naming %s", addr)
	}
	t.Logf("checklist window in Thunderbird:\n%s", text)
	// Thunderbird's own language decides the window's: Japanese with
	// the language pack, English without.
	if !strings.Contains(text, "もしかして: tanaka@partner-a.example") && !strings.Contains(text, "Did you mean tanaka@partner-a.example?") {
		return nil, fmt.Errorf("the window lacks the suggestion:\n%s", text)
	}
	// Marionette's own screenshots cover tabs, not extension windows: the
	// window's page is drawn into a canvas instead.
	snap := `
const [resolve] = arguments;
for (const w of Services.wm.getEnumerator(null)) {
  const f = w.document.getElementById("requestFrame");
  const d = f && f.contentDocument;
  if (d && d.location.href.includes("popup.html")) {
    const r = new w.DOMRect(0, 0, d.documentElement.scrollWidth, d.documentElement.scrollHeight);
    f.browsingContext.currentWindowGlobal.drawSnapshot(r, 1, "white").then((bmp) => {
      const c = w.document.createElementNS("http://www.w3.org/1999/xhtml", "canvas");
      c.width = bmp.width;
      c.height = bmp.height;
      c.getContext("2d").drawImage(bmp, 0, 0);
      resolve(c.toDataURL("image/png"));
    }, (e) => resolve("error: " + e));
    return;
  }
}
resolve("error: no window");`
	var shot []byte
	if r, err := c.call("WebDriver:ExecuteAsyncScript", map[string]any{"script": snap}); err == nil {
		var url string
		json.Unmarshal(r["value"], &url)
		if b64, ok := strings.CutPrefix(url, "data:image/png;base64,"); ok {
			shot, _ = base64.StdEncoding.DecodeString(b64)
		} else {
			t.Logf("screenshot: %.200s", url)
		}
	} else {
		t.Logf("screenshot: %v", err)
	}
	press := `
const [addr] = arguments;
for (const w of Services.wm.getEnumerator(null)) {
  const f = w.document.getElementById("requestFrame");
  const d = f && f.contentDocument;
  const b = d && d.querySelector("button[data-replace='" + addr + "']");
  if (b) {
    b.click();
    const send = d.getElementById("send");
    const ok = !send.disabled;
    send.click();
    return ok;
  }
}
return false;`
	r, err := c.call("WebDriver:ExecuteScript", map[string]any{"script": press, "args": []any{addr}})
	if err != nil {
		return shot, err
	}
	var ok bool
	json.Unmarshal(r["value"], &ok)
	if !ok {
		return shot, fmt.Errorf("Send was not enabled after changing %s to the suggestion", addr)
	}
	return shot, nil
}

// marionette speaks Marionette's protocol (length-prefixed JSON
// [type, id, command, params]) to Thunderbird.
type marionette struct {
	conn net.Conn
	r    *bufio.Reader
	id   int
}

func dialMarionette(port int) (*marionette, error) {
	conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
	if err != nil {
		return nil, err
	}
	c := &marionette{conn: conn, r: bufio.NewReader(conn)}
	if _, err := c.read(); err != nil { // the greeting
		conn.Close()
		return nil, err
	}
	return c, nil
}

func (c *marionette) read() ([]byte, error) {
	c.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	n, err := c.r.ReadString(':')
	if err != nil {
		return nil, err
	}
	size, err := strconv.Atoi(strings.TrimSuffix(n, ":"))
	if err != nil {
		return nil, fmt.Errorf("marionette: length %q", n)
	}
	b := make([]byte, size)
	_, err = io.ReadFull(c.r, b)
	return b, err
}

func (c *marionette) call(cmd string, params any) (map[string]json.RawMessage, error) {
	c.id++
	if params == nil {
		params = map[string]any{}
	}
	b, _ := json.Marshal([]any{0, c.id, cmd, params})
	if _, err := fmt.Fprintf(c.conn, "%d:%s", len(b), b); err != nil {
		return nil, err
	}
	raw, err := c.read()
	if err != nil {
		return nil, err
	}
	var msg []json.RawMessage
	if err := json.Unmarshal(raw, &msg); err != nil || len(msg) != 4 {
		return nil, fmt.Errorf("marionette: %s", raw)
	}
	if string(msg[2]) != "null" {
		return nil, fmt.Errorf("marionette %s: %s", cmd, msg[2])
	}
	var out map[string]json.RawMessage
	json.Unmarshal(msg[3], &out)
	return out, nil
}
