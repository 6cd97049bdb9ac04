// Package packaging tests misend's .deb on this machine, the way an IT
// department owns it: it builds the package with packaging/build.sh (nfpm
// from the Go module proxy), installs it with dpkg, checks the unit and
// the binary, runs the first-run steps (init, directory, history, a
// confidential term), starts the service by the unit's own command lines
// as its user, sends mail through it over SMTP to a capturing upstream,
// stops it, backs it up, purges the package and everything it left, installs
// it again, restores, starts again and finds the held mail and the learned
// model back; then purges the package again.
//
// It needs root and dpkg and skips itself otherwise, with -short, or when
// a misend package is installed on the machine already (it is not touched).
package packaging

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/misend/misend/internal/sink"
)

const (
	unit   = "/lib/systemd/system/misend.service"
	config = "/etc/misend/misend.toml"

	sender   = "taro@corp.example"
	approver = "hanako@corp.example"
	partner  = "yamada@partner.example" // the sender's usual contact, in the history
	stranger = "someone@never-seen.example"
	secret   = "Project Falcon" // on the organisation's confidential list
)

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// asService runs /usr/bin/misend as the service user, as the README's
// `sudo -u misend misend …` does: what it writes in the state directory
// must stay the service's. It returns standard output alone (check --json
// is parsed from it).
func asService(t *testing.T, args ...string) string {
	t.Helper()
	uid, gid := ids(t, "misend")
	cmd := exec.Command("/usr/bin/misend", args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}}
	cmd.Dir = "/var/lib/misend"
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("misend %s as the service user: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return string(out)
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// shared makes a directory the service user can read: t.TempDir's are
// root's alone.
func shared(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "misend-package-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// message is a plain message as a mail client writes it.
func message(from, to, subject, id string, date time.Time, body string) string {
	return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nMessage-ID: " + id +
		"\r\nDate: " + date.Format(time.RFC1123Z) + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
}

func TestDebInstallsAndRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and installs a package")
	}
	if os.Geteuid() != 0 {
		t.Skip("installing a package needs root")
	}
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skip("no dpkg here")
	}
	if exec.Command("dpkg", "-s", "misend").Run() == nil {
		t.Skip("a misend package is installed on this machine; not touching it")
	}
	for _, p := range []string{"/etc/misend", "/var/lib/misend"} {
		if _, err := os.Stat(p); err == nil {
			t.Skipf("%s exists on this machine; not touching it", p)
		}
	}

	dist := t.TempDir()
	cmd := exec.Command("../../packaging/build.sh", "0.9.1")
	cmd.Env = append(os.Environ(), "DIST="+dist, "PACKAGERS=deb")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build.sh: %v\n%s", err, out)
	}
	debs, _ := filepath.Glob(filepath.Join(dist, "*.deb"))
	if len(debs) != 1 {
		t.Fatalf("packages built: %v", debs)
	}
	deb := debs[0]
	info := run(t, "dpkg-deb", "--info", deb)
	for _, want := range []string{"Package: misend", "Version: 0.9.1", "Section: mail"} {
		if !strings.Contains(info, want) {
			t.Errorf("package info lacks %q:\n%s", want, info)
		}
	}

	t.Cleanup(purge)
	run(t, "dpkg", "-i", deb)

	if v := run(t, "/usr/bin/misend", "version"); !strings.HasPrefix(v, "misend v0.9.1 (commit ") || !strings.Contains(v, "built ") {
		t.Errorf("misend version: %q", v)
	}
	b, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"User=misend", "ProtectSystem=strict", "NoNewPrivileges=yes", "StateDirectory=misend",
		"ExecStart=/usr/bin/misend serve --config /etc/misend/misend.toml"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("unit lacks %s", want)
		}
	}
	if sa, err := exec.LookPath("systemd-analyze"); err == nil {
		out, err := exec.Command(sa, "verify", unit).CombinedOutput()
		if err != nil {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		} else if len(bytes.TrimSpace(out)) > 0 {
			t.Logf("systemd-analyze verify says:\n%s", out)
		}
	} else {
		t.Log("systemd-analyze not installed: the unit was not verified")
	}
	if st := run(t, "stat", "-c", "%U:%G %a", "/var/lib/misend"); strings.TrimSpace(st) != "misend:misend 750" {
		t.Errorf("/var/lib/misend is %s", st)
	}

	// The upstream smarthost: a capturing SMTP server that lives through
	// both installs, so that mail delivered twice would show.
	upstream, upAddr := startUpstream(t)

	// First run, as the README says, with loopback ports of this test.
	httpAddr, smtpAddr := freePort(t), freePort(t)
	out := run(t, "/usr/bin/misend", "init", "--org-domain", "corp.example", "--public-url", "http://"+httpAddr,
		"--upstream", upAddr, "--smtp", smtpAddr, "--http", httpAddr, "--admin", "admin@corp.example")
	if !strings.Contains(out, "administrator admin@corp.example created") {
		t.Errorf("init: %s", out)
	}
	for _, p := range []string{config, "/etc/misend/spool.key", "/var/lib/misend/misend.db"} {
		if st := run(t, "stat", "-c", "%U", p); strings.TrimSpace(st) != "misend" {
			t.Errorf("%s belongs to %s, not the service user", p, st)
		}
	}
	// Out of shadow mode, as after the roll-out's pilot: in shadow mode
	// nothing would be held.
	cfg, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	const shadowOn = "[policy.default]\nshadow = true\n"
	if !bytes.Contains(cfg, []byte(shadowOn)) {
		t.Fatalf("init's configuration has no %q:\n%s", shadowOn, cfg)
	}
	if err := os.WriteFile(config, bytes.Replace(cfg, []byte(shadowOn), []byte("[policy.default]\nshadow = false\n"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, "/usr/bin/misend", "config", "check")

	// The directory (the sender and their department's approver), a
	// confidential term and some history, as the service user.
	in := shared(t)
	writeFile(t, filepath.Join(in, "people.csv"), "address,name,department,groups,roles\n"+
		sender+",Taro Sato,Sales,,sender\n"+approver+",Hanako Suzuki,Sales,,sender;approver\n")
	asService(t, "directory", "import", "--config", config, filepath.Join(in, "people.csv"))
	asService(t, "terms", "add", "--config", config, "--scope", "organization", "--weight", "1", "--by", "admin@corp.example", secret)
	history := filepath.Join(in, "history")
	if err := os.Mkdir(history, 0o755); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i := range 12 {
		day := now.AddDate(0, 0, -60+5*i)
		writeFile(t, filepath.Join(history, fmt.Sprintf("%02d-out.eml", i)), message(sender, partner, "Order "+strconv.Itoa(i),
			fmt.Sprintf("<hist-out-%d@corp.example>", i), day, "Dear Yamada-san,\r\n\r\nplease find the order below.\r\n\r\nTaro"))
		writeFile(t, filepath.Join(history, fmt.Sprintf("%02d-in.eml", i)), message(partner, sender, "Re: Order "+strconv.Itoa(i),
			fmt.Sprintf("<hist-in-%d@partner.example>", i), day.Add(time.Hour), "Dear Sato-san,\r\n\r\nthank you.\r\n\r\nYamada"))
	}
	asService(t, "import", "--config", config, history)
	token := strings.TrimSpace(asService(t, "token", "create", "--config", config, "--name", "package test", approver))

	svc := startService(t, httpAddr)
	backup := filepath.Join(t.TempDir(), "b.db")
	if out := run(t, "/usr/bin/misend", "backup", backup); !strings.Contains(out, "checked") {
		t.Errorf("backup of the running service: %s", out)
	}

	// Mail through the installed service: an honest message leaves, one
	// with a confidential term for an outside partner is held for the
	// department's approver.
	honest := message(sender, partner, "Delivery dates", "<honest-1@corp.example>", time.Now(), "Dear Yamada-san,\r\n\r\nthe delivery dates are fine.\r\n\r\nTaro")
	if err := smtp.SendMail(smtpAddr, nil, sender, []string{partner}, []byte(honest)); err != nil {
		t.Fatalf("send the honest message through misend: %v", err)
	}
	leak := message(sender, partner, "Plans", "<leak-1@corp.example>", time.Now(), "Dear Yamada-san,\r\n\r\nthe plans of "+secret+" are attached.\r\n\r\nTaro")
	if err := smtp.SendMail(smtpAddr, nil, sender, []string{partner}, []byte(leak)); err != nil {
		t.Fatalf("send the confidential message through misend: %v", err)
	}
	awaitUpstream(t, upstream, "<honest-1@corp.example>", 1)
	api := apiClient(httpAddr, token)
	heldID := awaitHeld(t, api, "Plans")
	if n := count(upstream, "<leak-1@corp.example>"); n != 0 {
		t.Fatalf("the held message reached the upstream %d times", n)
	}
	svc.stop(t)

	// What the model the backup holds says of a message to the usual
	// partner and of one to somebody nobody here ever wrote to. It is
	// taken after the service stopped: serve learns the mail that left
	// and saves the model when it stops.
	known, unknown := filepath.Join(in, "known.eml"), filepath.Join(in, "unknown.eml")
	writeFile(t, known, message(sender, partner, "Next order", "<check-known@corp.example>", now, "Dear Yamada-san,\r\n\r\nthe next order.\r\n\r\nTaro"))
	writeFile(t, unknown, message(sender, stranger, "Next order", "<check-unknown@corp.example>", now, "Hello,\r\n\r\nthe next order.\r\n\r\nTaro"))
	learned := modelSays(t, known, unknown)

	// Backup of the stopped service, as before an upgrade or a move, and
	// what the database does not carry: the configuration and the spool
	// key, kept apart as the operations guide says.
	dir := t.TempDir()
	backup, spool, etc := filepath.Join(dir, "misend.db"), filepath.Join(dir, "spool.tar.gz"), filepath.Join(dir, "misend-etc.tar.gz")
	out = run(t, "/usr/bin/misend", "backup", backup, "--spool-archive", spool)
	if !strings.Contains(out, "checked") || !strings.Contains(out, "backed up the spool") {
		t.Errorf("backup: %s", out)
	}
	serviceOwns(t, "/var/lib/misend") // a backup run as root leaves nothing of root's there
	run(t, "tar", "-C", "/etc", "-czf", etc, "misend")

	// A fresh machine: no package, no state, no configuration, no user.
	purge()
	for _, p := range []string{"/etc/misend", "/var/lib/misend"} {
		if _, err := os.Stat(p); err == nil {
			t.Fatalf("%s is still there after the purge", p)
		}
	}
	if exec.Command("id", "misend").Run() == nil {
		t.Fatal("the misend user is still there")
	}
	run(t, "dpkg", "-i", deb)
	run(t, "tar", "-C", "/etc", "-xzf", etc)
	out = run(t, "/usr/bin/misend", "restore", backup, "--spool-archive", spool)
	if !strings.Contains(out, "restored /var/lib/misend/misend.db") || !strings.Contains(out, "restored the spool /var/lib/misend/spool") {
		t.Errorf("restore: %s", out)
	}
	// The service user was made anew, perhaps with another uid: what was
	// restored must be its.
	for _, p := range []string{config, "/etc/misend/spool.key"} {
		if st := run(t, "stat", "-c", "%U", p); strings.TrimSpace(st) != "misend" {
			t.Errorf("restored %s belongs to %s, not the service user", p, st)
		}
	}
	serviceOwns(t, "/var/lib/misend")
	if got := modelSays(t, known, unknown); got != learned {
		t.Errorf("the restored model says\n%s\nwhere the backed-up one said\n%s", got, learned)
	}

	svc = startService(t, httpAddr)
	// The held message is back in the approver's list, under its id, for
	// the approver's token (the accounts are back too), and still
	// readable: its body was encrypted with the restored spool key.
	if id := awaitHeld(t, api, "Plans"); id != heldID {
		t.Errorf("after the restore the approver sees held message %s, not %s", id, heldID)
	}
	code, body := api("GET", "/api/v1/held/"+heldID+"/body")
	if code != http.StatusOK || !bytes.Contains(body, []byte(secret)) {
		t.Fatalf("body of the held message after the restore: %d %.300s", code, body)
	}
	if code, body := api("POST", "/api/v1/held/"+heldID+"/release"); code != http.StatusOK {
		t.Fatalf("release after the restore: %d %s", code, body)
	}
	got := awaitUpstream(t, upstream, "<leak-1@corp.example>", 1)
	if !bytes.Contains(got.Data, []byte(secret)) || !slices.Equal(got.To, []string{partner}) {
		t.Errorf("released message to %v:\n%s", got.To, got.Data)
	}
	// Delivered exactly once across both installs: the restored spool
	// does not send again what had left before the backup.
	if n := count(upstream, "<honest-1@corp.example>"); n != 1 {
		t.Errorf("the honest message reached the upstream %d times", n)
	}
	svc.stop(t)
	if n := count(upstream, "<leak-1@corp.example>"); n != 1 {
		t.Errorf("the released message reached the upstream %d times", n)
	}
	t.Logf("the upstream took %d messages: the honest one, the released one and misend's notices", len(upstream.Messages()))
}

// purge removes the package and everything it or the test left, user
// included: what a fresh machine has.
func purge() {
	exec.Command("dpkg", "--purge", "misend").Run()
	os.RemoveAll("/etc/misend")
	os.RemoveAll("/var/lib/misend")
	os.RemoveAll("/var/log/misend")
	exec.Command("userdel", "misend").Run()
	exec.Command("groupdel", "misend").Run()
}

// modelSays runs `misend check --json` on a message to the sender's
// usual partner and on one to a stranger, and returns both lines. The
// learned model must know the partner and not the stranger; the lines
// are compared whole across the backup and restore.
func modelSays(t *testing.T, known, unknown string) string {
	t.Helper()
	var lines []string
	for _, f := range []struct {
		path  string
		known bool
	}{{known, true}, {unknown, false}} {
		line := strings.TrimSpace(asService(t, "check", "--json", "--config", config, f.path))
		var res struct {
			Verdict  string
			Findings []struct{ Code, Recipient string }
		}
		if err := json.Unmarshal([]byte(line), &res); err != nil {
			t.Fatalf("check --json %s: %v\n%s", f.path, err, line)
		}
		isNew := slices.ContainsFunc(res.Findings, func(x struct{ Code, Recipient string }) bool {
			return x.Code == "NEW_RECIPIENT" || x.Code == "NEW_DOMAIN"
		})
		if isNew == f.known {
			t.Errorf("check of %s (known contact: %v): %s", filepath.Base(f.path), f.known, line)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// serviceOwns checks that everything under dir belongs to the service
// user: a file of root's there (a database's write-ahead log, a spool
// entry) stops the service from writing it.
func serviceOwns(t *testing.T, dir string) {
	t.Helper()
	uid, _ := ids(t, "misend")
	n := 0
	err := filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != uid {
			t.Errorf("%s belongs to uid %d, not the service user (%d)", p, st.Uid, uid)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	if n < 3 {
		t.Errorf("%s holds %d files: database and spool missing", dir, n)
	}
}

// startUpstream starts the capturing SMTP server misend delivers to.
func startUpstream(t *testing.T) (*sink.Sink, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := sink.New()
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return s, l.Addr().String()
}

// count is how many messages with the Message-ID id the upstream took.
func count(s *sink.Sink, id string) int {
	n := 0
	for _, m := range s.Messages() {
		if bytes.Contains(m.Data, []byte("\nMessage-ID: "+id+"\r\n")) {
			n++
		}
	}
	return n
}

// awaitUpstream waits for the upstream to have taken want messages with
// the Message-ID id, and returns the last of them.
func awaitUpstream(t *testing.T, s *sink.Sink, id string, want int) sink.Message {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if count(s, id) >= want {
			var last sink.Message
			for _, m := range s.Messages() {
				if bytes.Contains(m.Data, []byte("\nMessage-ID: "+id+"\r\n")) {
					last = m
				}
			}
			return last
		}
	}
	t.Fatalf("the upstream did not get %s %d time(s) in 30 s (it has %d messages)", id, want, len(s.Messages()))
	return sink.Message{}
}

// apiClient calls misend's HTTP API with a bearer token.
func apiClient(addr, token string) func(method, path string) (int, []byte) {
	return func(method, path string) (int, []byte) {
		req, err := http.NewRequest(method, "http://"+addr+path, nil)
		if err != nil {
			return 0, []byte(err.Error())
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, []byte(err.Error())
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp.StatusCode, b.Bytes()
	}
}

// awaitHeld waits for the approver to see a held message with subject and
// returns its id.
func awaitHeld(t *testing.T, api func(string, string) (int, []byte), subject string) string {
	t.Helper()
	var body []byte
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		var code int
		code, body = api("GET", "/api/v1/held?scope=department")
		if code != http.StatusOK {
			t.Fatalf("held list: %d %s", code, body)
		}
		var list struct {
			Items []struct{ ID, State, Sender, Subject string }
		}
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatalf("held list: %v\n%s", err, body)
		}
		for _, it := range list.Items {
			if it.Subject == subject && it.Sender == sender && it.State == "held" {
				return it.ID
			}
		}
	}
	t.Fatalf("no held message %q for the approver; the list says %s", subject, body)
	return ""
}

// lockedBuffer collects a child's output, read while it runs.
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

// service is misend started as the installed unit starts it.
type service struct {
	cmd     *exec.Cmd
	logs    *lockedBuffer
	done    chan error
	stopped bool
}

// unitLines reads the unit's ExecStartPre and ExecStart command lines and
// its user.
func unitLines(t *testing.T) (pre, start []string, user string) {
	t.Helper()
	f, err := os.Open(unit)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		switch {
		case !ok:
		case k == "ExecStartPre":
			pre = strings.Fields(v)
		case k == "ExecStart":
			start = strings.Fields(v)
		case k == "User":
			user = v
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(start) == 0 || user == "" {
		t.Fatalf("%s names no ExecStart or User", unit)
	}
	return pre, start, user
}

// startService starts misend by the unit's command lines as its user,
// since systemd is not PID 1 here, and waits until the gateway accepts
// mail (/readyz). The working directory is the unit's.
func startService(t *testing.T, httpAddr string) *service {
	t.Helper()
	pre, start, user := unitLines(t)
	uid, gid := ids(t, user)
	cred := &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}}
	if len(pre) > 0 {
		c := exec.Command(pre[0], pre[1:]...)
		c.SysProcAttr, c.Dir = cred, "/var/lib/misend"
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("ExecStartPre %s: %v\n%s", strings.Join(pre, " "), err, out)
		}
	}
	s := &service{cmd: exec.Command(start[0], start[1:]...), logs: &lockedBuffer{}, done: make(chan error, 1)}
	s.cmd.SysProcAttr, s.cmd.Dir = cred, "/var/lib/misend"
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", strings.Join(start, " "), err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() {
		if !s.stopped {
			s.cmd.Process.Kill()
			<-s.done
		}
		// The log of each start, once, on any failure of the test.
		if t.Failed() {
			t.Logf("serve:\n%s", s.logs.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(fmt.Sprintf("http://%s/readyz", httpAddr))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case err := <-s.done:
			s.stopped = true // its exit is taken: the cleanup must not wait for it
			t.Fatalf("serve exited before it was ready: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve not ready in 30 s: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// stop sends SIGTERM, as systemctl stop does, and waits for a clean exit
// within the unit's TimeoutStopSec.
func (s *service) stop(t *testing.T) {
	t.Helper()
	s.stopped = true
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM to serve: %v", err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("serve on SIGTERM: %v", err)
		}
	case <-time.After(45 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		t.Fatal("serve did not stop on SIGTERM within 45 s")
	}
}

// ids returns the user and group ids of a system user.
func ids(t *testing.T, name string) (uint32, uint32) {
	t.Helper()
	u, err := strconv.ParseUint(strings.TrimSpace(run(t, "id", "-u", name)), 10, 32)
	if err != nil {
		t.Fatal(err)
	}
	g, err := strconv.ParseUint(strings.TrimSpace(run(t, "id", "-g", name)), 10, 32)
	if err != nil {
		t.Fatal(err)
	}
	return uint32(u), uint32(g)
}
