package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/misend/misend/internal/queue"
)

// A held message, encrypted in the spool, is back in a fresh spool after
// a save and a restore, readable with the same key and no other.
func TestSpoolRoundTrip(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	dir := filepath.Join(t.TempDir(), "spool")
	q, err := queue.OpenOptions(dir, queue.Options{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte("From: sato@corp.example\r\nTo: x@partner.example\r\nSubject: s\r\n\r\n極秘の見積書\r\n")
	id, err := q.Add(context.Background(), queue.Item{Envelope: queue.Envelope{From: "sato@corp.example", To: []string{"x@partner.example"}},
		State: queue.Held, Subject: "s"}, raw)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, ".tmp-half-written"), []byte("x"), 0o600)

	archive := filepath.Join(t.TempDir(), "spool.tar.gz")
	n, err := SaveSpool(dir, archive)
	if err != nil || n == 0 {
		t.Fatalf("saved %d files: %v", n, err)
	}
	fresh := filepath.Join(t.TempDir(), "spool")
	if _, err := RestoreSpool(archive, fresh); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(fresh, ".tmp-half-written")); err == nil {
		t.Error("a temporary file was saved")
	}
	q2, err := queue.OpenOptions(fresh, queue.Options{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	it, err := q2.Get(id)
	if err != nil || it.State != queue.Held {
		t.Fatalf("held message after restore: %+v %v", it, err)
	}
	if body, err := q2.Body(id); err != nil || !bytes.Equal(body, raw) {
		t.Errorf("body after restore: %q %v", body, err)
	}
	if _, err := queue.OpenOptions(fresh, queue.Options{Key: bytes.Repeat([]byte{8}, 32)}); err == nil {
		t.Log("a wrong key opens the spool (bodies are checked when read)")
	}
	if _, err := RestoreSpool(archive, fresh); err == nil {
		t.Error("restored into a spool in use")
	}
}

func TestRestoreSpoolRefusesEntriesOutsideIt(t *testing.T) {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	tw.WriteHeader(&tar.Header{Name: "../escape", Mode: 0o600, Size: 1, Typeflag: tar.TypeReg})
	tw.Write([]byte("x"))
	tw.Close()
	zw.Close()
	src := filepath.Join(t.TempDir(), "evil.tar.gz")
	os.WriteFile(src, b.Bytes(), 0o600)
	dir := filepath.Join(t.TempDir(), "spool")
	if _, err := RestoreSpool(src, dir); err == nil {
		t.Error("an entry outside the spool was restored")
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escape")); err == nil {
		t.Error("file written outside the spool")
	}
}
