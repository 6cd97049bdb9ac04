package keyfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestLoad(t *testing.T) {
	raw := bytes.Repeat([]byte{0xab}, Size)
	long := bytes.Repeat([]byte("k"), 65)
	for _, tt := range []struct {
		name    string
		content []byte
		mode    os.FileMode
		format  Format
		want    []byte
		wantErr string
	}{
		{"raw", raw, 0o600, Exact32, raw, ""},
		{"hex with a newline", []byte(strings.Repeat("ab", Size) + "\n"), 0o600, Exact32, raw, ""},
		{"owner read-only", raw, 0o400, Exact32, raw, ""},
		{"short", []byte("tooshort"), 0o600, Exact32, nil, "need 32 raw octets or 64 hex digits"},
		{"33 octets", append(raw, 0), 0o600, Exact32, nil, "need 32"},
		{"64 non-hex characters", bytes.Repeat([]byte("z"), 64), 0o600, Exact32, nil, "need 32"},
		{"group-readable", raw, 0o640, Exact32, nil, "readable by others"},
		{"world-readable", raw, 0o604, AtLeast32, nil, "readable by others"},
		// A link key written as hex was always used as its 65 octets:
		// read otherwise, every link signed with it would break.
		{"at least 32, taken as it is", long, 0o600, AtLeast32, long, ""},
		{"at least 32, short", raw[:31], 0o600, AtLeast32, nil, "need at least 32"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "k")
			if err := os.WriteFile(path, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			for _, create := range []bool{false, true} {
				got, err := Load(path, tt.format, create)
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Errorf("create=%v: err %v, want one saying %q", create, err, tt.wantErr)
					}
					continue
				}
				if err != nil || !bytes.Equal(got, tt.want) {
					t.Errorf("create=%v: %x %v, want %x", create, got, err, tt.want)
				}
			}
			if b, _ := os.ReadFile(path); !bytes.Equal(b, tt.content) {
				t.Error("an existing file was changed")
			}
		})
	}
}

func TestLoadMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	if _, err := Load(path, Exact32, false); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing key without create: %v", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("made a key without create")
	}
	k1, err := Load(path, Exact32, true)
	if err != nil || len(k1) != Size {
		t.Fatalf("made %x %v", k1, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("made key: %v %v", fi, err)
	}
	for _, f := range []Format{Exact32, AtLeast32} {
		if k2, err := Load(path, f, false); err != nil || !bytes.Equal(k1, k2) {
			t.Errorf("format %d reads the made key as %x %v, want %x", f, k2, err, k1)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("left %v beside the key", entries)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "no", "dir", "k"), Exact32, true); err == nil {
		t.Error("made a key in a directory that does not exist")
	}
}

// TestLoadConcurrentAgree: processes starting at once on no key all end
// up with one.
func TestLoadConcurrentAgree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := Load(path, AtLeast32, true)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if !bytes.Equal(k, keys[0]) {
			t.Fatalf("keys differ: %x %x", k, keys[0])
		}
	}
}

func TestNewNeverReplacesAKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "etc", "spool.key")
	made, err := New(path)
	if err != nil || !made {
		t.Fatalf("made %v err %v", made, err)
	}
	b, _ := os.ReadFile(path)
	if len(b) != 2*Size+1 || b[2*Size] != '\n' {
		t.Errorf("new key %q: want 64 hex digits and a newline", b)
	}
	k1, err := Load(path, Exact32, false)
	if err != nil || len(k1) != Size {
		t.Fatalf("the made key does not load: %v", err)
	}
	if made, err := New(path); err != nil || made {
		t.Fatalf("second call: made %v err %v", made, err)
	}
	if k2, _ := Load(path, Exact32, false); !bytes.Equal(k1, k2) {
		t.Error("key replaced")
	}
}

func TestRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(path, []byte("pw\n"), 0o600)
	if b, err := Read(path); err != nil || string(b) != "pw\n" {
		t.Errorf("read %q %v", b, err)
	}
	os.Chmod(path, 0o620)
	if _, err := Read(path); !errors.Is(err, ErrReadable) {
		t.Errorf("group-writable secret: %v", err)
	}
}
