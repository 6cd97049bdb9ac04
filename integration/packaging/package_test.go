// Package packaging tests misend's .deb on this machine: it builds the
// package with packaging/build.sh (nfpm from the Go module proxy),
// installs it with dpkg, checks the unit and the binary, runs the first-run
// steps and starts the service by the unit's own command line as its
// user, then purges the package again.
//
// It needs root and dpkg and skips itself otherwise, with -short, or when
// a misend package is installed on the machine already (it is not touched).
package packaging

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const unit = "/lib/systemd/system/misend.service"

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
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
	info := run(t, "dpkg-deb", "--info", debs[0])
	for _, want := range []string{"Package: misend", "Version: 0.9.1", "Section: mail"} {
		if !strings.Contains(info, want) {
			t.Errorf("package info lacks %q:\n%s", want, info)
		}
	}

	t.Cleanup(func() {
		exec.Command("dpkg", "--purge", "misend").Run()
		os.RemoveAll("/etc/misend")
		os.RemoveAll("/var/lib/misend")
		os.RemoveAll("/var/log/misend")
		exec.Command("userdel", "misend").Run()
		exec.Command("groupdel", "misend").Run()
	})
	run(t, "dpkg", "-i", debs[0])

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

	// First run, as the README says, with loopback ports of this test.
	httpAddr := freePort(t)
	out := run(t, "/usr/bin/misend", "init", "--org-domain", "corp.example", "--public-url", "http://"+httpAddr,
		"--upstream", freePort(t), "--smtp", freePort(t), "--http", httpAddr, "--admin", "admin@corp.example")
	if !strings.Contains(out, "administrator admin@corp.example created") {
		t.Errorf("init: %s", out)
	}
	for _, p := range []string{"/etc/misend/misend.toml", "/etc/misend/spool.key", "/var/lib/misend/misend.db"} {
		if st := run(t, "stat", "-c", "%U", p); strings.TrimSpace(st) != "misend" {
			t.Errorf("%s belongs to %s, not the service user", p, st)
		}
	}
	run(t, "/usr/bin/misend", "config", "check")

	// Systemd is not PID 1 here: start the service by the unit's command
	// line, as its user.
	var logs bytes.Buffer
	uid, gid := ids(t, "misend")
	serve := exec.Command("/usr/bin/misend", "serve", "--config", "/etc/misend/misend.toml")
	serve.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}}
	serve.Dir = "/var/lib/misend"
	serve.Stdout, serve.Stderr = &logs, &logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		serve.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- serve.Wait() }()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			serve.Process.Kill()
			t.Error("serve did not stop on SIGTERM within a minute")
		}
		if t.Failed() {
			t.Logf("serve:\n%s", logs.String())
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(fmt.Sprintf("http://%s/healthz", httpAddr))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not answer /healthz: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	backup := filepath.Join(t.TempDir(), "b.db")
	os.Chmod(filepath.Dir(backup), 0o755)
	if out := run(t, "/usr/bin/misend", "backup", backup); !strings.Contains(out, "checked") {
		t.Errorf("backup of the running service: %s", out)
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
