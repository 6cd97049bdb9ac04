// Package pgtest runs a private PostgreSQL server for tests, so that code
// written for PostgreSQL is tested against the real thing. The server is
// started once per test process on a loopback port with its data in a
// temporary directory, and stopped when the process exits; each test gets
// a database of its own.
//
// It installs nothing: test.sh installs PostgreSQL before the tests and
// sets MISEND_REQUIRE_SERVERS=1, under which a server that is missing or
// does not start fails the tests that need it (internal/testneeds);
// elsewhere they are skipped with a message saying so.
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

	"github.com/misend/misend/internal/testneeds"
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
		testneeds.Missing(t, "PostgreSQL", "%v", problem)
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

// start starts a server.
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

// binaries finds the server's programs: in MISEND_TEST_PG_BIN when set
// (to test against another version), else the newest Debian install.
func binaries() (string, error) {
	if b := os.Getenv("MISEND_TEST_PG_BIN"); b != "" {
		if _, err := os.Stat(filepath.Join(b, "initdb")); err != nil {
			return "", fmt.Errorf("MISEND_TEST_PG_BIN: %w", err)
		}
		return b, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i], nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("initdb not found: PostgreSQL is not installed (test.sh installs it; or apt-get install postgresql)")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
