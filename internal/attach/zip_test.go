package attach

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/klauspost/compress/zip"
	"golang.org/x/text/encoding/japanese"
)

// zipSJIS makes an archive as Japanese Windows writes one: names in
// Shift_JIS (CP932), without the UTF-8 flag.
func zipSJIS(t testing.TB, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		name, err := japanese.ShiftJIS.NewEncoder().String(files[i])
		if err != nil {
			t.Fatal(err)
		}
		f, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, NonUTF8: true})
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(files[i+1]))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
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
