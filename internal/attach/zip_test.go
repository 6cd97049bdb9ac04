package attach

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/klauspost/compress/zip"
)

// zipSJIS makes an archive as Japanese Windows writes one: names in
// Shift_JIS (CP932), without the UTF-8 flag.
func zipSJIS(t testing.TB, files ...string) []byte {
	t.Helper()
	return buildZip(t, true, files...)
}

func TestEntries(t *testing.T) {
	sjis := zipSJIS(t, "【社外秘】見積.xlsx", "x", "資料/（極秘）人事.txt", "y")
	if bytes.Contains(sjis, []byte("【社外秘】")) {
		t.Fatal("the Shift_JIS archive holds UTF-8 names")
	}
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"plain.zip", readFile(t, "plain.zip"), []string{"quote.docx", "deck.pptx"}},
		{"a.zip", zipOf(t, "【社外秘】見積.xlsx", "x", "dir/", "", "dir/[Confidential] plan.txt", "y"), []string{"【社外秘】見積.xlsx", "dir/[Confidential] plan.txt"}},
		{"nested.zip", zipOf(t, "a.txt", "x", "in.zip", string(zipOf(t, "(極秘)人事.txt", "y"))), []string{"a.txt", "in.zip", "in.zip/(極秘)人事.txt"}},
		{"ppap.zip", readFile(t, "ppap.zip"), []string{"quote.docx", "list.xlsx"}},
		{"sjis.zip", sjis, []string{"【社外秘】見積.xlsx", "資料/（極秘）人事.txt"}},
		{"quote.docx", readFile(t, "quote.docx"), nil}, // the parts of an Office file are not files
	}
	for _, tt := range tests {
		res := Read(context.Background(), tt.name, "", tt.data, Limits{})
		if !slices.Equal(res.Entries, tt.want) {
			t.Errorf("%s: entries %q, want %q", tt.name, res.Entries, tt.want)
		}
	}
}

// TestEntryInPlace holds the files inflated in place (entry reading the
// archive's octets) to f.Open's reader on sound and damaged archives:
// the same octets, the same problems. The damage is to the central
// directory, which the reader trusts (the CRC-32, the sizes), to the
// compressed octets themselves or to the data descriptor after them.
func TestEntryInPlace(t *testing.T) {
	sound := readFile(t, "header.docx")
	// word/document.xml's record in the central directory, and its
	// compressed octets.
	cdir := bytes.LastIndex(sound, []byte("word/document.xml")) - 46
	zr, err := zip.NewReader(bytes.NewReader(sound), int64(len(sound)))
	if err != nil {
		t.Fatal(err)
	}
	f := zipIndex(zr)["word/document.xml"]
	body, err := f.DataOffset()
	descriptor := body + int64(f.CompressedSize64) // LibreOffice writes one, signed
	if err != nil || string(sound[cdir:cdir+4]) != "PK\x01\x02" || string(sound[descriptor:descriptor+4]) != "PK\x07\x08" {
		t.Fatalf("no word/document.xml at %d: %v", cdir, err)
	}
	damaged := map[string]func(b []byte){
		"sound":                func([]byte) {},
		"checksum":             func(b []byte) { b[cdir+16] ^= 1 },
		"no checksum":          func(b []byte) { clear(b[cdir+16 : cdir+20]) },
		"compressed size less": func(b []byte) { b[cdir+20] -= 7 },
		"compressed size more": func(b []byte) { b[cdir+20] += 7 },
		"size less":            func(b []byte) { b[cdir+24] -= 1 },
		"size more":            func(b []byte) { b[cdir+24] += 1 },
		"octets":               func(b []byte) { b[body+100] ^= 0x55 },
		"descriptor":           func(b []byte) { b[descriptor+4] ^= 1 },
		"descriptor unsigned":  func(b []byte) { b[descriptor] ^= 1 },
	}
	for name, damage := range damaged {
		t.Run(name, func(t *testing.T) {
			data := bytes.Clone(sound)
			damage(data)
			zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			sameInPlace(t, data, zr, DefaultLimits)
		})
	}
}

// sameInPlace fails t unless every file of zr, the archive data, reads the
// same inflated in place (entry reading the archive's octets) as through
// f.Open: the same octets, the same problems.
func sameInPlace(t *testing.T, data []byte, zr *zip.Reader, lim Limits) {
	t.Helper()
	for _, f := range zr.File {
		read := func(inPlace bool) (string, bool, []Problem) {
			r := newReader(context.Background(), lim, farFuture)
			if inPlace {
				r.zip = data
			}
			out, ok := r.entry(f.Name, f)
			return string(out), ok, r.res.Problems
		}
		got, ok, problems := read(true)
		want, wantOK, wantProblems := read(false)
		if got != want || ok != wantOK || !slices.Equal(problems, wantProblems) {
			t.Fatalf("%q: %d octets, %v, %v; f.Open gives %d octets, %v, %v", f.Name, len(got), ok, problems, len(want), wantOK, wantProblems)
		}
	}
}
