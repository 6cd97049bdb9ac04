package config

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeFile is a file Review may stat.
type fakeFile struct {
	mode fs.FileMode
}

func (f fakeFile) Name() string       { return "f" }
func (f fakeFile) Size() int64        { return 64 }
func (f fakeFile) Mode() fs.FileMode  { return f.mode }
func (f fakeFile) ModTime() time.Time { return time.Time{} }
func (f fakeFile) IsDir() bool        { return false }
func (f fakeFile) Sys() any           { return nil }

func fakeEnv(fsType string, files map[string]fs.FileMode) Env {
	return Env{
		FSType: func(string) string { return fsType },
		Stat: func(p string) (os.FileInfo, error) {
			if m, ok := files[p]; ok {
				return fakeFile{m}, nil
			}
			return nil, fs.ErrNotExist
		},
	}
}

const good = `
db = "/var/lib/misend/misend.db"
org_domains = ["corp.example"]
[smtp]
listen = "0.0.0.0:2525"
networks = ["10.0.0.0/8"]
[upstream]
addr = "mx.corp.example:25"
[queue]
dir = "/var/lib/misend/spool"
encryption_key_file = "/etc/misend/spool.key"
[notify]
base_url = "https://misend.corp.example"
[web]
time_zone = "Asia/Tokyo"
[retention]
decisions_days = 400
held_days = 14
`

func TestReview(t *testing.T) {
	keys := map[string]fs.FileMode{"/etc/misend/spool.key": 0o600}
	topicKeys := map[string]fs.FileMode{"/etc/misend/spool.key": 0o600, "/etc/misend/topic.key": 0o600}
	const topicKey = "[model]\ntopic_key_file = \"/etc/misend/topic.key\"\n"
	tests := []struct {
		name   string
		doc    string
		fsType string
		files  map[string]fs.FileMode
		want   []string // severity:code, in order
	}{
		{"all set", good, "", keys, nil},
		{"nothing set", ``, "", nil, []string{"error:no_upstream", "warning:no_org_domains", "warning:no_public_url", "warning:no_retention", "warning:no_spool_key"}},
		{"no retention", strings.Replace(good, "[retention]\ndecisions_days = 400\nheld_days = 14\n", "", 1), "", keys, []string{"warning:no_retention"}},
		{"held mail kept for ever", strings.Replace(good, "held_days = 14\n", "", 1), "", keys, []string{"warning:held_kept_for_ever"}},
		{"no public URL", strings.Replace(good, `base_url = "https://misend.corp.example"`, ``, 1), "", keys, []string{"warning:no_public_url"}},
		{"deadlines nobody hears of", strings.Replace(good, `base_url = "https://misend.corp.example"`, ``, 1) + "\n[approval]\nfinal_after = \"24h\"\n", "", keys,
			[]string{"warning:no_public_url", "warning:approval_silent"}},
		{"open relay", strings.Replace(good, `networks = ["10.0.0.0/8"]`, ``, 1), "", keys, []string{"error:open_relay"}},
		{"loopback needs no networks", strings.Replace(strings.Replace(good, `networks = ["10.0.0.0/8"]`, ``, 1), "0.0.0.0", "127.0.0.1", 1), "", keys, nil},
		{"AUTH instead of networks, without TLS", strings.Replace(good, `networks = ["10.0.0.0/8"]`, `auth_file = "/etc/misend/users"`, 1), "",
			map[string]fs.FileMode{"/etc/misend/spool.key": 0o600, "/etc/misend/users": 0o600}, []string{"warning:auth_without_tls"}},
		{"no spool key", strings.Replace(good, `encryption_key_file = "/etc/misend/spool.key"`, ``, 1), "", nil, []string{"warning:no_spool_key"}},
		{"spool key missing", good, "", nil, []string{"error:missing_file"}},
		{"spool key readable by others", good, "", map[string]fs.FileMode{"/etc/misend/spool.key": 0o644}, []string{"error:secret_readable"}},
		{"SQLite on NFS", good, "nfs", keys, []string{"error:network_fs"}},
		{"relative paths", strings.Replace(strings.Replace(good, `/var/lib/misend/misend.db`, `misend.db`, 1), `/var/lib/misend/spool`, `spool`, 1), "", keys,
			[]string{"warning:relative_path", "warning:relative_path"}},
		{"PostgreSQL is no file", strings.Replace(good, `/var/lib/misend/misend.db`, `postgres://misend@db/misend`, 1) + topicKey, "nfs", topicKeys, nil},
		// Replicas on PostgreSQL cannot each make a key of their own.
		{"PostgreSQL without a topic key", strings.Replace(good, `/var/lib/misend/misend.db`, `postgres://misend@db/misend`, 1), "", keys,
			[]string{"warning:no_topic_key"}},
		{"PostgreSQL, topic key missing", strings.Replace(good, `/var/lib/misend/misend.db`, `postgres://misend@db/misend`, 1) + topicKey, "", keys,
			[]string{"error:missing_file"}},
		{"topic key readable by others", good + topicKey, "", map[string]fs.FileMode{"/etc/misend/spool.key": 0o600, "/etc/misend/topic.key": 0o644},
			[]string{"error:secret_readable"}},
		// On SQLite it is made on first use, next to the database.
		{"SQLite, topic key not made yet", good + topicKey, "", keys, nil},
		{"SQLite, default topic key readable by others", good, "", map[string]fs.FileMode{"/etc/misend/spool.key": 0o600, "/var/lib/misend/misend.db.topic.key": 0o644},
			[]string{"error:secret_readable"}},
		{"bad time zone", strings.Replace(good, `Asia/Tokyo`, `Asia/Tokio`, 1), "", keys, []string{"error:bad_time_zone"}},
		{"web on every address over HTTP", strings.Replace(good, "[web]", "[http]\nlisten = \":8025\"\n[web]", 1) + "\n", "", keys, nil},
		{"web on every address, no TLS anywhere", strings.Replace(strings.Replace(good, "[web]", "[http]\nlisten = \":8025\"\n[web]", 1), "https://", "http://", 1), "", keys,
			[]string{"warning:web_plain_http"}},
		{"trusted freemail, own domain, outside exempt sender", good + "[policy]\ntrusted_domains = [\"gmail.com\", \"mail.corp.example\", \"group-co.co.jp\"]\nexempt_senders = [\"noreply@\", \"alerts@vendor.example\", \"billing@corp.example\"]\n", "", keys,
			[]string{"warning:trusted_freemail", "warning:trusted_own", "warning:exempt_outside"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range Review(c, fakeEnv(tt.fsType, tt.files)) {
				got = append(got, string(a.Severity)+":"+a.Code)
				for _, lang := range []string{"en", "ja"} {
					if s := a.Text(lang); s == "" || strings.Contains(s, "%!") || strings.HasPrefix(s, a.Code) {
						t.Errorf("%s in %s: %q", a.Code, lang, s)
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAdviceTextInBothLanguages(t *testing.T) {
	for code, m := range adviceText {
		if m[0] == "" || m[1] == "" || strings.Count(m[0], "%s") != strings.Count(m[1], "%s") {
			t.Errorf("%s: %q / %q", code, m[0], m[1])
		}
	}
}

func TestNetworkFSOfLocalDir(t *testing.T) {
	// The test's temporary directory is on a local disk (or tmpfs), and a
	// database not yet made is judged by the nearest directory there is.
	if fs := networkFS(filepath.Join(t.TempDir(), "not", "yet")); fs != "" {
		t.Skipf("temporary directory on %s", fs)
	}
}
