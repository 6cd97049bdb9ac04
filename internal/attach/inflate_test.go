package attach

import (
	"bytes"
	stdflate "compress/flate"
	"context"
	"fmt"
	"io"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zip"
)

// klauspostInflate is what klauspost/compress makes of a raw deflate
// stream, up to max+1 octets.
func klauspostInflate(src []byte, max int) ([]byte, error) {
	var out bytes.Buffer
	_, err := out.ReadFrom(io.LimitReader(flate.NewReader(bytes.NewReader(src)), int64(max)+1))
	return out.Bytes(), err
}

// sameInflate reports how inflate and klauspost/compress part on src, ""
// when inflate reads it as klauspost does (or refuses it, leaving it to
// klauspost): the same octets, or the limit passed at the same place.
func sameInflate(src []byte, max int) string {
	got, err := inflate(nil, src, max)
	want, werr := klauspostInflate(src, max)
	switch {
	case err == errInflate:
		return ""
	case err == errInflateLimit:
		if len(want) <= max {
			return fmt.Sprintf("limit of %d passed, klauspost: %d octets, %v", max, len(want), werr)
		}
	case err != nil:
		return "error " + err.Error()
	case werr != nil || !bytes.Equal(got, want):
		return fmt.Sprintf("%d octets, klauspost %d octets, %v; %s", len(got), len(want), werr, firstDiff(string(got), string(want)))
	}
	return ""
}

// deflateWays is how many ways deflateWay compresses: klauspost at every
// level (stored, Huffman only, 1 to 9), the standard library at 1 and 9.
const deflateWays = 13

func deflateWay(data []byte, way int) []byte {
	var b bytes.Buffer
	var w io.WriteCloser
	if way < 11 {
		w, _ = flate.NewWriter(&b, []int{-2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}[way])
	} else {
		w, _ = stdflate.NewWriter(&b, []int{1, 9}[way-11])
	}
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// deflated is data compressed every way.
func deflated(data []byte) [][]byte {
	var out [][]byte
	for way := range deflateWays {
		out = append(out, deflateWay(data, way))
	}
	return out
}

// corpusStreams are the deflated files of the corpus, those inside
// archives included.
func corpusStreams(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	var walk func(name string, data []byte)
	walk = func(name string, data []byte) {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for _, f := range zr.File {
			if f.Method != zip.Deflate || f.Flags&1 != 0 {
				continue
			}
			rr, _ := f.OpenRaw()
			raw, _ := io.ReadAll(rr)
			out[name+"/"+f.Name] = raw
			if strings.HasSuffix(f.Name, ".zip") || strings.HasSuffix(f.Name, ".docx") {
				rc, _ := f.Open()
				inner, _ := io.ReadAll(rc)
				walk(name+"/"+f.Name, inner)
			}
		}
	}
	for _, f := range []string{"bench50k.docx", "quote.docx", "quote-labelled.docx", "list.xlsx", "deck.pptx", "plain.zip", "quote.odt", "list.ods", "deck.odp"} {
		walk(f, readFile(t, f))
	}
	return out
}

func TestInflate(t *testing.T) {
	streams := corpusStreams(t)
	if len(streams) < 30 {
		t.Fatalf("%d deflated files in the corpus", len(streams))
	}
	for name, src := range streams {
		want, err := klauspostInflate(src, 1<<30)
		if err != nil {
			t.Fatal(name, err)
		}
		got, err := inflate(nil, src, 1<<30)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %d octets, %v; want %d", name, len(got), err, len(want))
		}
		for _, max := range []int{0, 1, len(want) - 1, len(want), len(want) / 2} {
			if d := sameInflate(src, max); d != "" {
				t.Errorf("%s, limit %d: %s", name, max, d)
			}
		}
	}
	rng := rand.New(rand.NewSource(1))
	random := make([]byte, 30000)
	rng.Read(random)
	texts := [][]byte{
		nil, []byte("a"), []byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
		random[:1000], random,
		bytes.Repeat([]byte("abcdefg"), 50000),
		bytes.Repeat([]byte("株式会社青葉食品 <w:t>お見積書</w:t> 1234\n"), 3000),
		readFile(t, "golden/bench50k.docx.txt"),
	}
	for i := range 10 {
		// Text of few letters with runs: short distances, long matches.
		b := make([]byte, rng.Intn(40000))
		for j := range b {
			if j > 20 && rng.Intn(3) == 0 {
				b[j] = b[j-1-rng.Intn(min(j-1, 5+i*6))]
			} else {
				b[j] = "abc <>/\n株"[rng.Intn(10)]
			}
		}
		texts = append(texts, b)
	}
	for i, text := range texts {
		for j, src := range deflated(text) {
			got, err := inflate(nil, src, 1<<30)
			if err != nil || !bytes.Equal(got, text) {
				t.Errorf("text %d, way %d: %d octets, %v; want %d", i, j, len(got), err, len(text))
			}
			if d := sameInflate(src, len(text)/3); d != "" {
				t.Errorf("text %d, way %d, limit: %s", i, j, d)
			}
			// Cut short, or damaged: refused, or read as klauspost reads it.
			for k := 0; k < 12; k++ {
				bad := slices.Clone(src)
				switch k % 3 {
				case 0:
					bad = bad[:rng.Intn(len(bad)+1)]
				default:
					if len(bad) > 0 {
						bad[rng.Intn(len(bad))] ^= byte(1 << rng.Intn(8))
					}
				}
				if d := sameInflate(bad, 1<<20); d != "" {
					t.Fatalf("text %d, way %d, damaged %d: %s", i, j, k, d)
				}
			}
		}
	}
}

// FuzzInflate holds inflate to klauspost/compress on fuzzed streams, and
// on fuzzed text deflated.
func FuzzInflate(f *testing.F) {
	for _, src := range corpusStreams(f) {
		if len(src) < 2048 {
			f.Add(src, uint16(0))
		}
	}
	f.Add([]byte("\x01\x00\x00\xff\xff"), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, max uint16) {
		if d := sameInflate(data, 1<<20); d != "" {
			t.Fatalf("as a stream: %s", d)
		}
		if d := sameInflate(data, int(max)); d != "" {
			t.Fatalf("as a stream, limit %d: %s", max, d)
		}
		text := data[:min(len(data), 4096)]
		src := deflateWay(text, int(max)%deflateWays)
		got, err := inflate(nil, src, 1<<20)
		if err != nil || !bytes.Equal(got, text) {
			t.Fatalf("deflated: %d octets, %v; want %d", len(got), err, len(text))
		}
	})
}

// TestEntryInflate holds entry, reading with inflate, to entry reading
// with klauspost/compress alone: the same octets, problems and totals, on
// the corpus and on archives damaged or cut short.
func TestEntryInflate(t *testing.T) {
	// Sound files are read by inflate itself.
	for _, file := range []string{"bench50k.docx", "plain.zip", "quote-labelled.docx"} {
		data := readFile(t, file)
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		r := newReader(context.Background(), DefaultLimits, farFuture)
		for _, f := range zr.File {
			if _, ok, done := r.inflateEntry(f.Name, f); !ok || !done {
				t.Errorf("%s/%s: read by inflate %v, done %v", file, f.Name, ok, done)
			}
		}
	}
	rng := rand.New(rand.NewSource(3))
	var archives [][]byte
	for _, f := range []string{"bench50k.docx", "quote.docx", "list.xlsx", "deck.pptx", "plain.zip", "quote.odt", "quote-labelled.docx"} {
		data := readFile(t, f)
		archives = append(archives, data)
		for range 60 {
			bad := slices.Clone(data)
			for range 1 + rng.Intn(3) {
				bad[rng.Intn(len(bad))] ^= byte(1 << rng.Intn(8))
			}
			archives = append(archives, bad)
		}
	}
	for i, data := range archives {
		for _, lim := range []Limits{{}, {MaxFileBytes: 3000}, {MaxRatio: 2, MaxTotalBytes: 20000}} {
			if d := sameEntries(data, lim); d != "" {
				t.Fatalf("archive %d, limits %+v: %s", i, lim, d)
			}
		}
	}
}

// sameEntries reads every file of the archive data both ways.
func sameEntries(data []byte, lim Limits) string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ""
	}
	lim = lim.withDefaults()
	a := newReader(context.Background(), lim, farFuture)
	b := newReader(context.Background(), lim, farFuture)
	b.klauspostOnly = true
	for _, f := range zr.File {
		ga, oka := a.entry(f.Name, f)
		gb, okb := b.entry(f.Name, f)
		switch {
		case oka != okb || !bytes.Equal(ga, gb) || (ga == nil) != (gb == nil):
			return fmt.Sprintf("%s: %d octets, %v; klauspost %d octets, %v", f.Name, len(ga), oka, len(gb), okb)
		case a.total != b.total || a.halted != b.halted || !slices.Equal(a.res.Problems, b.res.Problems):
			return fmt.Sprintf("%s: total %d, halted %v, %q; klauspost %d, %v, %q", f.Name, a.total, a.halted, a.res.Problems, b.total, b.halted, b.res.Problems)
		}
	}
	return ""
}

func FuzzEntryInflate(f *testing.F) {
	f.Add(readFile(f, "quote.docx"))
	f.Add(readFile(f, "list.xlsx"))
	f.Add(zipOf(f, "a.txt", strings.Repeat("ab", 3000)))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, lim := range []Limits{{}, {MaxFileBytes: 3000}, {MaxRatio: 2, MaxTotalBytes: 20000}} {
			if d := sameEntries(data, lim); d != "" {
				t.Fatalf("limits %+v: %s", lim, d)
			}
		}
	})
}
