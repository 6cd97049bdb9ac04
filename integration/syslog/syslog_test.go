// Package syslog tests misend's SIEM export against a real syslog
// daemon: a private rsyslogd (Debian's) on loopback ports, writing what it
// receives to a file. install.sh installs rsyslog; without it, or with
// -short, the test skips itself.
package syslog

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/misend/misend/internal/testneeds"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/siem"
	"github.com/misend/misend/internal/store"
)

func rsyslogd(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts rsyslogd")
	}
	for _, p := range []string{"rsyslogd", "/usr/sbin/rsyslogd"} {
		if bin, err := exec.LookPath(p); err == nil {
			return bin
		}
	}
	testneeds.Missing(t, "rsyslogd", "not installed (integration/syslog/install.sh)")
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startRsyslog runs rsyslogd in the foreground with TCP and UDP inputs on
// port and every message's PRI, MSGID and text appended to out.
func startRsyslog(t *testing.T, bin, dir string, port int, out string) (stop func()) {
	t.Helper()
	conf := filepath.Join(dir, "rsyslog.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf(`
global(workDirectory=%q)
module(load="imtcp")
module(load="imudp")
input(type="imtcp" address="127.0.0.1" port="%d")
input(type="imudp" address="127.0.0.1" port="%d")
template(name="raw" type="string" string="%%PRI%% %%APP-NAME%% %%MSGID%% %%msg%%\n")
if $app-name == "misend" then action(type="omfile" file=%q template="raw")
`, dir, port, port, out)), 0o644)
	cmd := exec.Command(bin, "-n", "-f", conf, "-i", filepath.Join(dir, "rsyslogd.pid"))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
		}
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			return stop
		}
		if time.Now().After(deadline) {
			t.Fatalf("rsyslogd does not listen: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// received waits until out holds n lines from misend and returns them.
func received(t *testing.T, out string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		b, _ := os.ReadFile(out)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(b) > 0 && len(lines) >= n {
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("rsyslogd wrote %d lines, want %d:\n%s", len(lines), n, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Every decision and audit entry arrives at rsyslog, over TCP and over
// UDP, as RFC 5424 that rsyslog parses: facility local0, the event type as
// MSGID, the event's JSON as the message.
func TestEveryEventArrivesAtRsyslog(t *testing.T) {
	bin := rsyslogd(t)
	for _, network := range []string{"tcp", "udp"} {
		t.Run(network, func(t *testing.T) {
			dir := t.TempDir()
			port := freePort(t)
			out := filepath.Join(dir, "received.log")
			startRsyslog(t, bin, dir, port, out)

			ctx := context.Background()
			db, err := store.Open(ctx, filepath.Join(dir, "m.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			dl, err := decisions.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			defer dl.Close()
			al, err := audit.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			s, err := siem.NewSyslog(fmt.Sprintf("%s://127.0.0.1:%d", network, port), "")
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			x, err := siem.New(ctx, db, s)
			if err != nil {
				t.Fatal(err)
			}
			const n = 50
			for i := range n {
				v := []policy.Verdict{policy.Pass, policy.Confirm, policy.Hold}[i%3]
				dl.Append(ctx, decisions.Record{At: time.Now(), Via: "smtp", MessageID: fmt.Sprintf("<%d@corp.example>", i),
					Sender: "sato@corp.example", Department: "営業部", Decision: policy.Decision{Verdict: v, Decided: v}, Score: 0.5})
				al.Record(ctx, audit.Entry{Actor: "boss@corp.example", Action: audit.Release, Target: fmt.Sprintf("q%d", i)})
			}
			dl.Flush()
			if sent, err := x.Once(ctx, s); err != nil || sent != 2*n {
				t.Fatalf("sent %d, %v", sent, err)
			}
			lines := received(t, out, 2*n)
			seen := map[string]bool{}
			for _, l := range lines {
				f := strings.SplitN(l, " ", 4)
				if len(f) != 4 || f[1] != "misend" {
					t.Fatalf("line %q", l)
				}
				var e siem.Event
				if err := json.Unmarshal([]byte(f[3]), &e); err != nil || e.Type != f[2] {
					t.Fatalf("rsyslog did not keep the JSON whole: %q: %v", f[3], err)
				}
				if pri := f[0]; pri < "128" || pri > "134" {
					t.Errorf("PRI %s is not local0", pri)
				}
				seen[fmt.Sprintf("%s/%d", e.Type, e.ID)] = true
			}
			if len(seen) != 2*n {
				t.Errorf("%d distinct events arrived, want %d", len(seen), 2*n)
			}
		})
	}
}

// With rsyslogd stopped for a while, nothing is lost: the events wait in
// the database and arrive once it runs again.
func TestRsyslogOutageLosesNothing(t *testing.T) {
	bin := rsyslogd(t)
	dir := t.TempDir()
	port := freePort(t)
	out := filepath.Join(dir, "received.log")
	stop := startRsyslog(t, bin, dir, port, out)
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	al, err := audit.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	s, err := siem.NewSyslog(fmt.Sprintf("tcp://127.0.0.1:%d", port), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	x, err := siem.New(ctx, db, s)
	if err != nil {
		t.Fatal(err)
	}
	entry := func(i int) {
		if err := al.Record(ctx, audit.Entry{Actor: "boss@corp.example", Action: audit.Release, Target: fmt.Sprintf("q%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	entry(0)
	if _, err := x.Once(ctx, s); err != nil {
		t.Fatal(err)
	}
	received(t, out, 1)
	stop()
	for i := 1; i <= 5; i++ {
		entry(i)
		x.Once(ctx, s) // fails while rsyslogd is down
	}
	startRsyslog(t, bin, dir, port, out)
	if _, err := x.Once(ctx, s); err != nil {
		t.Fatal(err)
	}
	lines := received(t, out, 6)
	seen := map[string]bool{}
	for _, l := range lines {
		var e siem.Event
		json.Unmarshal([]byte(strings.SplitN(l, " ", 4)[3]), &e)
		seen[e.Target] = true
	}
	for i := 0; i <= 5; i++ {
		if !seen[fmt.Sprintf("q%d", i)] {
			t.Errorf("q%d lost in the outage; got %v", i, lines)
		}
	}
}
