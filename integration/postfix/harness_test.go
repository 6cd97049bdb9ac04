package postfix

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/testneeds"
)

// Instance is a private Postfix started for one test: its own config and
// queue directories, listening on a loopback port, relaying everything to
// one next hop.
type Instance struct {
	Dir  string
	Addr string // SMTP listener, 127.0.0.1:port
	t    testing.TB
	bin  string
}

// Options configure an Instance.
type Options struct {
	Relay  string // host:port every message goes to
	Milter string // host:port of a milter for smtpd and non-smtpd mail; "" for none
	// Reinject, if set, is the host:port of a second smtpd without
	// milters, where misend hands back mail it held and then released (as
	// misend's milter documentation tells sites to set up).
	Reinject string
	Extra    map[string]string
}

// approver releases held mail in these tests: an approver of the whole
// organisation, through held.Service as every release goes.
var approver = held.Actor{Principal: auth.Principal{Address: "approver@corp.example", Roles: []auth.Role{auth.RoleApprover}, ApprovesOrganization: true}}

// release lets a held message of q leave, as an approver would.
func release(q *queue.Queue, id queue.ID) error {
	_, err := (&held.Service{Queue: q}).Release(context.Background(), string(id), approver, "")
	return err
}

func postfixBin() string {
	for _, p := range []string{"/usr/sbin/postfix", "/usr/local/sbin/postfix"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("postfix"); err == nil {
		return p
	}
	return ""
}

// needPostfix returns Postfix's binary, or ends the test when no Postfix
// can be started here: a failure where servers are required (test.sh
// installs Postfix and sets MISEND_REQUIRE_SERVERS=1), a skip elsewhere.
func needPostfix(t testing.TB) string {
	t.Helper()
	bin := postfixBin()
	if bin == "" {
		testneeds.Missing(t, "Postfix", "not installed (integration/install-servers.sh installs it)")
	}
	if os.Geteuid() != 0 {
		testneeds.Missing(t, "Postfix", "starting a private instance needs root")
	}
	return bin
}

func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// daemons is master.cf without chroot (no chroot tree to build) and with
// smtpd on our own port.
const masterCF = `%s inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`

// StartPostfix starts a private Postfix and stops it when the test ends.
func StartPostfix(t testing.TB, o Options) *Instance {
	t.Helper()
	bin := needPostfix(t)
	base, err := os.MkdirTemp("", "misend-postfix-")
	if err != nil {
		t.Fatal(err)
	}
	// Postfix daemons run as the postfix user and must reach the queue.
	os.Chmod(base, 0o755)
	inst := &Instance{Dir: base, Addr: freePort(t), t: t, bin: bin}
	conf := filepath.Join(base, "etc")
	for _, d := range []string{conf, filepath.Join(base, "queue"), filepath.Join(base, "data")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// master and postlogd write here as the postfix user.
	if u, err := user.Lookup("postfix"); err == nil {
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		os.Chown(filepath.Join(base, "data"), uid, gid)
	}
	main := map[string]string{
		"compatibility_level":      "3.6",
		"queue_directory":          filepath.Join(base, "queue"),
		"data_directory":           filepath.Join(base, "data"),
		"mail_owner":               "postfix",
		"setgid_group":             "postdrop",
		"myhostname":               "mta.test.example",
		"mydomain":                 "test.example",
		"myorigin":                 "corp.example",
		"mydestination":            "",
		"local_recipient_maps":     "",
		"alias_maps":               "",
		"alias_database":           "",
		"inet_interfaces":          "127.0.0.1",
		"inet_protocols":           "ipv4",
		"mynetworks":               "127.0.0.0/8",
		"relayhost":                "[" + strings.Replace(o.Relay, ":", "]:", 1),
		"smtpd_relay_restrictions": "permit_mynetworks, reject",
		"smtp_dns_support_level":   "disabled",
		"smtp_tls_security_level":  "none",
		"smtpd_tls_security_level": "none",
		"maillog_file":             filepath.Join(base, "maillog"),
		"maillog_file_prefixes":    base,
		"biff":                     "no",
		// Benchmarks send faster than one delivery at a time; in_flow_delay
		// would pace them to what the queue manager keeps up with.
		"in_flow_delay":                         "0",
		"smtpd_client_connection_count_limit":   "0",
		"smtpd_client_connection_rate_limit":    "0",
		"default_process_limit":                 "100",
		"smtp_destination_concurrency_limit":    "20",
		"default_destination_concurrency_limit": "20",
		"smtp_connection_cache_on_demand":       "yes",
		"queue_run_delay":                       "1s",
		"minimal_backoff_time":                  "1s",
		"maximal_backoff_time":                  "2s",
		"smtpd_error_sleep_time":                "0",
		"milter_default_action":                 "tempfail",
		"milter_protocol":                       "6",
		"smtpd_delay_reject":                    "yes",
		"import_environment":                    "MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C",
	}
	if o.Milter != "" {
		main["smtpd_milters"] = "inet:" + o.Milter
		main["non_smtpd_milters"] = "inet:" + o.Milter
	}
	for k, v := range o.Extra {
		main[k] = v
	}
	var mc bytes.Buffer
	for k, v := range main {
		fmt.Fprintf(&mc, "%s = %s\n", k, v)
	}
	if err := os.WriteFile(filepath.Join(conf, "main.cf"), mc.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	master := fmt.Sprintf(masterCF, inst.Addr)
	if o.Reinject != "" {
		master += o.Reinject + " inet n - n - - smtpd -o smtpd_milters= -o non_smtpd_milters=\n"
	}
	if err := os.WriteFile(filepath.Join(conf, "master.cf"), []byte(master), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) error {
		cmd := exec.Command(bin, append([]string{"-c", conf}, args...)...)
		cmd.Env = append(os.Environ(), "MAIL_CONFIG="+conf)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("postfix %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := run("start"); err != nil {
		t.Fatalf("%v\nmaillog:\n%s", err, inst.Log())
	}
	t.Cleanup(func() {
		if err := run("stop"); err != nil {
			t.Logf("stop: %v", err)
		}
		if t.Failed() {
			t.Logf("postfix maillog:\n%s", inst.Log())
		}
		os.RemoveAll(base)
	})
	// master binds the port before answering start, but be sure.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", inst.Addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("postfix not listening on %s: %v\n%s", inst.Addr, err, inst.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return inst
}

// Log returns the instance's mail log.
func (i *Instance) Log() string {
	b, _ := os.ReadFile(filepath.Join(i.Dir, "maillog"))
	return string(b)
}

// Status is the last delivery status (sent, deferred, bounced, …) Postfix
// logged for the message with this Message-ID, or "" if none yet.
func (i *Instance) Status(messageID string) string {
	log := i.Log()
	m := regexp.MustCompile(`([0-9A-F]+): message-id=` + regexp.QuoteMeta(messageID)).FindStringSubmatch(log)
	if m == nil {
		return ""
	}
	st := regexp.MustCompile(`(?m)`+m[1]+`: to=.* status=(\w+)`).FindAllStringSubmatch(log, -1)
	if st == nil {
		return ""
	}
	return st[len(st)-1][1]
}

// Sendmail submits a message through the instance's sendmail command
// (postdrop → pickup → cleanup), the path non_smtpd_milters sees.
func (i *Instance) Sendmail(from string, to []string, msg string) error {
	sm := filepath.Join(filepath.Dir(i.bin), "sendmail")
	cmd := exec.Command(sm, append([]string{"-C", filepath.Join(i.Dir, "etc"), "-f", from, "--"}, to...)...)
	cmd.Env = append(os.Environ(), "MAIL_CONFIG="+filepath.Join(i.Dir, "etc"))
	cmd.Stdin = strings.NewReader(msg)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("sendmail: %v\n%s", err, out)
	}
	return nil
}
