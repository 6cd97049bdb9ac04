// Package pgtest runs a private PostgreSQL server for tests, so that code
// written for PostgreSQL is tested against the real thing. The server is
// installed from Debian when it is missing and the tests run as root (as
// in CI), started once per test process on a loopback port with its data
// in a temporary directory, and stopped when the process exits; each test
// gets a database of its own. Where no server can run, tests that need one
// are skipped, never failed.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var (
	once    sync.Once
	admin   string // DSN of the server's postgres database
	problem error  // why no server runs
)

// Path names the database a test uses: the SQLite file name in dir, or,
// when MISEND_TEST_DB=postgres (test.sh runs the packages with a database
// both ways), a new database on the test server.
func Path(t testing.TB, dir, name string) string {
	t.Helper()
	if os.Getenv("MISEND_TEST_DB") == "postgres" {
		return DSN(t)
	}
	return filepath.Join(dir, name)
}

// DSN returns the URL of a new, empty database on the test server, dropped
// when t ends; t is skipped when no server can run here.
func DSN(t testing.TB) string {
	t.Helper()
	once.Do(func() { admin, problem = start() })
	if problem != nil {
		t.Skipf("no PostgreSQL for this test: %v", problem)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	name := "t_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return fmt.Sprintf("postgres://postgres@%s/%s?sslmode=disable", hostPort(admin), name)
}

func hostPort(dsn string) string {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return ""
	}
	return net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
}

// start installs PostgreSQL if needed and can, and starts a server.
func start() (string, error) {
	bin, err := binaries()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "misend-pg-")
	if err != nil {
		return "", err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		// The server refuses to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			return "", fmt.Errorf("running as root and no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return "", fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	srv := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200")
	srv.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL, Setpgid: true}
	srv.Stdout, srv.Stderr = nil, nil
	if err := srv.Start(); err != nil {
		return "", fmt.Errorf("postgres: %w", err)
	}
	dsn := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		conn, err := pgx.Connect(context.Background(), dsn)
		if err == nil {
			conn.Close(context.Background())
			return dsn, nil
		}
	}
	srv.Process.Kill()
	return "", fmt.Errorf("postgres did not accept connections on port %d", port)
}

// binaries finds the server's programs, installing the Debian package when
// they are missing and this is root with apt-get.
func binaries() (string, error) {
	find := func() string {
		dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
		for i := len(dirs) - 1; i >= 0; i-- {
			if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
				return dirs[i]
			}
		}
		if p, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p)
		}
		return ""
	}
	if b := find(); b != "" {
		return b, nil
	}
	if os.Geteuid() != 0 {
		return "", fmt.Errorf("PostgreSQL is not installed and installing it needs root")
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return "", fmt.Errorf("PostgreSQL is not installed and there is no apt-get")
	}
	// Other tests may be installing their servers at the same time: wait
	// for dpkg's lock rather than fail on it.
	cmd := exec.Command("sh", "-c", "apt='apt-get -o DPkg::Lock::Timeout=600'; $apt install -y -qq postgresql >/dev/null 2>&1 || "+
		"{ $apt update -qq >/dev/null 2>&1; $apt install -y -qq postgresql >/dev/null; }")
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("apt-get install postgresql: %v\n%s", err, out)
	}
	if b := find(); b != "" {
		return b, nil
	}
	return "", fmt.Errorf("PostgreSQL installed but initdb not found")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
