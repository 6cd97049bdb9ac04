package queue

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/policy"
)

var key = bytes.Repeat([]byte{0x42}, 32)

const secret = "Subject: 極秘の見積もり\r\n\r\nconfidential body text\r\n"

func TestEncryptedAtRest(t *testing.T) {
	dir := t.TempDir()
	q, err := OpenOptions(dir, Options{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	id, err := q.Add(ctx, Item{Envelope: env, State: Held, Subject: "極秘の見積もり", Outcome: Outcome{Verdict: policy.Hold}}, []byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	if err := moveTo(ctx, q, id, "op", Delayed); err != nil { // metadata written apart from the message file
		t.Fatal(err)
	}
	if err := moveTo(ctx, q, id, "op", Cancelled); err != nil {
		t.Fatal(err)
	}
	id, err = q.Add(ctx, Item{Envelope: env, State: Held, Subject: "極秘の見積もり", Outcome: Outcome{Verdict: policy.Hold}}, []byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	if len(files) < 2 {
		t.Fatalf("spool files: %v", files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, plain := range []string{"confidential body", "極秘", "partner.example", "held"} {
			if bytes.Contains(b, []byte(plain)) {
				t.Errorf("%s holds %q in the clear", filepath.Base(f), plain)
			}
		}
	}
	q2, err := OpenOptions(dir, Options{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := q2.Body(id); err != nil || string(b) != secret {
		t.Fatalf("body after reopen: %q %v", b, err)
	}
	if it, _ := q2.Get(id); it.Subject != "極秘の見積もり" || it.Envelope.From != env.From {
		t.Errorf("metadata after reopen: %+v", it)
	}
	if _, err := Open(dir); !errors.Is(err, ErrNoKey) {
		t.Errorf("open without key: %v, want ErrNoKey", err)
	}
	if _, err := OpenOptions(dir, Options{Key: bytes.Repeat([]byte{1}, 32)}); err == nil || !strings.Contains(err.Error(), "decrypt") {
		t.Errorf("open with the wrong key: %v", err)
	}
	// A body file copied over another message's does not decrypt.
	id2, _ := q2.Add(ctx, Item{Envelope: env, State: Held}, []byte("other"))
	b1, _ := os.ReadFile(filepath.Join(dir, "msg", string(id)+".msq"))
	os.WriteFile(filepath.Join(dir, "msg", string(id2)+".msq"), b1, 0o600)
	if _, err := q2.Body(id2); err == nil {
		t.Error("a body moved to another id decrypted")
	}
	if _, err := OpenOptions(dir, Options{Key: key[:16]}); err == nil {
		t.Error("a 16-byte key was accepted")
	}
}

func TestPlainSpoolStaysReadableWithKey(t *testing.T) {
	dir := t.TempDir()
	q, _ := Open(dir)
	id, _ := q.Add(context.Background(), Item{Envelope: env, State: Held}, []byte(secret))
	q2, err := OpenOptions(dir, Options{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := q2.Body(id); err != nil || string(b) != secret {
		t.Errorf("plain body with a key: %q %v", b, err)
	}
}

func TestFinishedBodiesGoAndPrune(t *testing.T) {
	dir := t.TempDir()
	q, _ := OpenOptions(dir, Options{Key: key})
	ctx := context.Background()
	var ids []ID
	for range 3 {
		id, _ := q.Add(ctx, Item{Envelope: env, State: Held, Subject: "s"}, []byte(secret))
		ids = append(ids, id)
	}
	if err := moveTo(ctx, q, ids[0], "sato", Cancelled); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Modify(ctx, ids[1], "boss", func(it *Item) error { it.State, it.Comment = Rejected, "no"; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[:2] {
		if _, err := os.Stat(filepath.Join(dir, "msg", string(id)+".msq")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("body of finished %s still on disk", id)
		}
		it, _ := q.Get(id)
		if it.Finished.IsZero() || it.Subject != "" {
			t.Errorf("finished item keeps subject or lacks time: %+v", it)
		}
	}
	if n, err := q.Prune(time.Now().Add(-time.Hour)); n != 0 || err != nil {
		t.Errorf("pruned %d fresh messages (%v)", n, err)
	}
	n, err := q.Prune(time.Now().Add(time.Second))
	if n != 2 || err != nil {
		t.Fatalf("pruned %d, %v; want the 2 finished", n, err)
	}
	if _, err := q.Get(ids[0]); !errors.Is(err, ErrNotFound) {
		t.Error("pruned message still known")
	}
	if _, err := q.Get(ids[2]); err != nil {
		t.Error("waiting message pruned")
	}
	metas, _ := os.ReadDir(filepath.Join(dir, "meta"))
	msgs, _ := os.ReadDir(filepath.Join(dir, "msg"))
	if len(metas) != 0 || len(msgs) != 1 {
		t.Errorf("%d metadata and %d message files after prune, want only the waiting message's", len(metas), len(msgs))
	}
	q2, _ := OpenOptions(dir, Options{Key: key})
	if d := q2.Depth(); d[Held] != 1 || len(d) != 1 {
		t.Errorf("after reopen: %v", d)
	}
	if _, err := q.Modify(ctx, ids[0], "x", func(*Item) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("modify pruned: %v", err)
	}
	if _, err := q.Modify(ctx, ids[2], "x", func(it *Item) error { it.State = Delivered; return nil }); !errors.Is(err, ErrState) {
		t.Errorf("modify into delivered: %v", err)
	}
}

// BenchmarkAdd is one durable spool write (body and metadata, each fsynced
// with its directory) of a 6 KB message, in the clear and encrypted.
func BenchmarkAdd(b *testing.B) {
	raw := bytes.Repeat([]byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n"), 96)
	for _, tc := range []struct {
		name string
		key  []byte
	}{{"plain", nil}, {"encrypted", key}} {
		b.Run(tc.name, func(b *testing.B) {
			q, err := OpenOptions(b.TempDir(), Options{Key: tc.key})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := q.Add(context.Background(), Item{Envelope: env, State: Queued}, raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSeal is the encryption alone, without the disk.
func BenchmarkSeal(b *testing.B) {
	q, _ := OpenOptions(b.TempDir(), Options{Key: key})
	raw := bytes.Repeat([]byte("x"), 6<<10)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := q.seal("msg:bench", raw); err != nil {
			b.Fatal(err)
		}
	}
}
