package postfix

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/misend/misend/internal/mail"
)

// lockedBuffer collects a child process's output safely.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// misendBin builds cmd/misend into dir.
func misendBin(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "misend")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/misend").CombinedOutput(); err != nil {
		t.Fatalf("build misend: %v\n%s", err, out)
	}
	return bin
}

// approverFor reads a directory CSV and returns an approver of addr's
// department other than addr.
func approverFor(t *testing.T, path, addr string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	dept := ""
	for _, r := range rows[1:] {
		if r[col["address"]] == addr {
			dept = r[col["department"]]
		}
	}
	for _, r := range rows[1:] {
		if r[col["department"]] == dept && r[col["address"]] != addr && slices.Contains(strings.Split(r[col["roles"]], ";"), "approver") {
			return r[col["address"]]
		}
	}
	t.Fatalf("no approver for %s's department %q", addr, dept)
	return ""
}

// TestPostfixServeBinary runs misend as a site deploys it, with nothing
// in-process: the built binary writes a generated organisation's history,
// imports it and the directory into its database, makes an approver's API
// token, and `misend serve --config` becomes Postfix's relayhost. Honest
// mail arrives, misdirected mail waits until the approver releases it over
// the HTTP API, and mail the configured policy refuses bounces to its sender.
func TestPostfixServeBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds misend and learns a generated history")
	}
	needPostfix(t)
	dir := t.TempDir()
	bin := misendBin(t, dir)
	run := func(args ...string) string {
		t.Helper()
		var stderr bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("misend %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
		}
		return string(out)
	}

	// A history that ends today, so the gateway's clock sees it as recent.
	days := 120
	jst := time.FixedZone("JST", 9*3600)
	start := time.Now().In(jst).AddDate(0, 0, -days).Format("2006-01-02")
	hist, scen := filepath.Join(dir, "history"), filepath.Join(dir, "scenarios")
	run("synth", "--seed", "11", "--people", "150", "--days", fmt.Sprint(days), "--start", start, "--out", hist, "--scenarios", scen)
	db := filepath.Join(dir, "misend.db")
	run("directory", "import", "--db", db, "--org-domain", "corp.example", filepath.Join(hist, "directory.csv"))
	ents, err := os.ReadDir(hist)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"import", "--db", db, "--org-domain", "corp.example"}
	for _, e := range ents {
		if e.Name() != "directory.csv" {
			args = append(args, filepath.Join(hist, e.Name()))
		}
	}
	run(args...)

	scenario := func(name string) (from string, to []string, raw []byte) {
		t.Helper()
		files, _ := filepath.Glob(filepath.Join(scen, "*-"+name+".eml"))
		if len(files) != 1 {
			t.Fatalf("scenario %s: %v", name, files)
		}
		raw, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.Parse(bytes.NewReader(raw), mail.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range msg.Recipients() {
			to = append(to, a.Addr)
		}
		return msg.From.Addr, to, raw
	}
	wrongFrom, wrongTo, wrongRaw := scenario("lookalike-domain")
	secret := strings.TrimSpace(run("token", "create", "--db", db, "--name", "integration test",
		approverFor(t, filepath.Join(hist, "directory.csv"), wrongFrom)))

	cfg := filepath.Join(dir, "misend.toml")
	os.WriteFile(cfg, []byte(`
[policy.default]
bands = { warn = 0.5, confirm = 0.7, hold = 0.9 }
codes = { CONFIDENTIAL_TERMS = "hold", PERSONAL_DATA = "reject" }
`), 0o644)
	upstream, upAddr := startCapture(t)
	mailbox, mbAddr := startCapture(t)
	smtpAddr, httpAddr := startServeBinary(t, bin, "--db", db, "--config", cfg, "--org-domain", "corp.example",
		"--upstream", upAddr, "--upstream-tls", "none", "--spool", filepath.Join(dir, "spool"), "--domain", "misend.test.example")
	api := func(method, path string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+httpAddr+path, nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(r.Body)
		return r.StatusCode, b.Bytes()
	}

	pf := StartPostfix(t, Options{
		Relay: smtpAddr,
		Extra: map[string]string{"transport_maps": inline(map[string]string{"corp.example": "smtp:[127.0.0.1]:" + portOf(mbAddr)})},
	})
	submit := func(from string, to []string, raw []byte) {
		t.Helper()
		if err := smtp.SendMail(pf.Addr, nil, from, to, raw); err != nil {
			t.Fatalf("Postfix refused the submission: %v", err)
		}
	}

	from, to, raw := scenario("usual-partner-mail")
	submit(from, to, raw)
	if got := awaitMessage(t, upstream, messageID(raw), 30*time.Second); !bytes.HasSuffix(got.Data, raw) {
		t.Errorf("honest message changed on the way:\n%s", got.Data)
	}

	submit(wrongFrom, wrongTo, wrongRaw)
	var id string
	for end := time.Now().Add(30 * time.Second); id == "" && time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		code, body := api("GET", "/api/v1/held?scope=department")
		if code != http.StatusOK {
			t.Fatalf("held list: %d %s", code, body)
		}
		var list struct {
			Items []struct {
				ID, State, Sender string
			}
		}
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatal(err)
		}
		for _, it := range list.Items {
			if it.Sender == wrongFrom && it.State == "held" {
				id = it.ID
			}
		}
	}
	if id == "" {
		t.Fatalf("misdirected message not held for the approver\npostfix log:\n%s", pf.Log())
	}
	if n := countMessages(upstream, messageID(wrongRaw)); n != 0 {
		t.Fatalf("held message reached the upstream")
	}
	if code, body := api("POST", "/api/v1/held/"+id+"/release"); code != http.StatusOK {
		t.Fatalf("release: %d %s", code, body)
	}
	if got := awaitMessage(t, upstream, messageID(wrongRaw), 30*time.Second); !bytes.HasSuffix(got.Data, wrongRaw) {
		t.Errorf("released message changed on the way:\n%s", got.Data)
	}

	card := fmt.Sprintf("<card-%d@corp.example>", time.Now().UnixNano())
	cardRaw := []byte("From: " + from + "\r\nTo: " + strings.Join(to, ", ") + "\r\nSubject: payment\r\nMessage-ID: " + card +
		"\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\n\r\nCard: 4111 1111 1111 1111\r\n")
	submit(from, to, cardRaw)
	bounce := awaitMessage(t, mailbox, card, 30*time.Second)
	if bounce.From != "" || !bytes.Contains(bounce.Data, []byte("Status: 5.7.1")) {
		t.Errorf("bounce from %q:\n%s", bounce.From, bounce.Data)
	}
}

// startServeBinary starts misend serve with args, its SMTP and HTTP
// listeners on ports it picks itself (a port found free beforehand can be
// taken by another process first), and waits until it is ready. It
// returns the addresses serve says it listens on.
func startServeBinary(t *testing.T, bin string, args ...string) (smtpAddr, httpAddr string) {
	t.Helper()
	var logs lockedBuffer
	srv := exec.Command(bin, append([]string{"serve", "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0"}, args...)...)
	srv.Stdout, srv.Stderr = &logs, &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { srv.Wait(); close(exited) }()
	t.Cleanup(func() {
		srv.Process.Signal(syscall.SIGTERM)
		<-exited
		if t.Failed() {
			t.Logf("misend serve:\n%s", logs.String())
		}
	})
	for end := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if httpAddr == "" {
			smtpAddr, httpAddr = listening(logs.String())
		}
		if httpAddr != "" {
			if r, err := http.Get("http://" + httpAddr + "/readyz"); err == nil {
				r.Body.Close()
				if r.StatusCode == http.StatusOK {
					return smtpAddr, httpAddr
				}
			}
		}
		select {
		case <-exited:
			t.Fatalf("misend serve exited before it was ready:\n%s", logs.String())
		default:
		}
		if time.Now().After(end) {
			t.Fatalf("misend serve not ready:\n%s", logs.String())
		}
	}
}

// listening reads the SMTP and HTTP addresses from serve's "listening" log
// line, "" until it is written.
func listening(logs string) (smtpAddr, httpAddr string) {
	for _, line := range strings.Split(logs, "\n") {
		var l struct{ Msg, SMTP, HTTP string }
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "listening" {
			return l.SMTP, l.HTTP
		}
	}
	return "", ""
}
