package attach

import (
	"bytes"
	"context"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/zip"
)

// benchRead reports, besides the wall-clock MB/s, cpu-MB/s: octets of
// attachment per second of the process's CPU time. On a shared machine the
// wall clock counts the time other programs ran; run with -cpu 1 for the
// figure on one core.
func benchRead(b *testing.B, file string) {
	data := readFile(b, file)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	n := 0
	for b.Loop() {
		res := Read(context.Background(), file, "", data, Limits{})
		if len(res.Problems) > 0 || len(res.Text) < 50 {
			b.Fatalf("problems %v, %d octets of text", res.Problems, len(res.Text))
		}
		n++
	}
	if cpu := cpuTime(b) - cpu0; cpu > 0 {
		b.ReportMetric(float64(n)*float64(len(data))/1e6/cpu.Seconds(), "cpu-MB/s")
	}
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// A 50 KB Word document of about 1000 paragraphs.
func BenchmarkDOCX50K(b *testing.B) { benchRead(b, "bench50k.docx") }

// A 220 KB PDF of the same kind of text, 20 pages.
func BenchmarkPDF200K(b *testing.B) { benchRead(b, "bench200k.pdf") }

// An archive of a Word document and a presentation.
func BenchmarkZIP(b *testing.B) { benchRead(b, "plain.zip") }

func BenchmarkXLSX(b *testing.B) { benchRead(b, "list.xlsx") }

func BenchmarkPPTX(b *testing.B) { benchRead(b, "deck.pptx") }

// The two halves of reading a Word document, apart: decompressing its body
// (the floor no scanner can go under) and scanning the XML for its text.
// SetBytes counts the file's octets, as the benchmarks above do.
func BenchmarkDOCX50KInflate(b *testing.B) {
	data := readFile(b, "bench50k.docx")
	b.SetBytes(int64(len(data)))
	cpu0, n := cpuTime(b), 0
	for b.Loop() {
		r := newReader(context.Background(), DefaultLimits, farFuture)
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			b.Fatal(err)
		}
		r.zip = data // as zipFile sets it
		body, ok := r.entry("word/document.xml", zipIndex(zr)["word/document.xml"])
		if !ok {
			b.Fatal(r.res.Problems)
		}
		r.done(body)
		n++
	}
	b.ReportMetric(float64(n)*float64(len(data))/1e6/(cpuTime(b)-cpu0).Seconds(), "cpu-MB/s")
}

func BenchmarkDOCX50KScan(b *testing.B) {
	benchScan(b, (*reader).wordText)
}

// BenchmarkDOCX50KScanTokenised is the scan before wordText, to compare
// on the same machine at the same time.
func BenchmarkDOCX50KScanTokenised(b *testing.B) {
	benchScan(b, (*reader).docxTokenised)
}

func benchScan(b *testing.B, scan func(*reader, []byte)) {
	data := readFile(b, "bench50k.docx")
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		b.Fatal(err)
	}
	r := newReader(context.Background(), DefaultLimits, farFuture)
	r.zip = data
	body, _ := r.entry("word/document.xml", zipIndex(zr)["word/document.xml"])
	b.SetBytes(int64(len(data)))
	text := make([]byte, 0, 256<<10)
	cpu0, n := cpuTime(b), 0
	for b.Loop() {
		r := newReader(context.Background(), DefaultLimits, farFuture)
		r.text = text[:0]
		scan(r, body)
		n++
	}
	b.ReportMetric(float64(n)*float64(len(data))/1e6/(cpuTime(b)-cpu0).Seconds(), "cpu-MB/s")
}

// The check that the text is UTF-8, on the text of the Word document.
func BenchmarkDOCX50KValidUTF8(b *testing.B) { benchValid(b, validUTF8) }

func BenchmarkDOCX50KValidUTF8Std(b *testing.B) { benchValid(b, utf8.Valid) }

func benchValid(b *testing.B, valid func([]byte) bool) {
	data := readFile(b, "bench50k.docx")
	text := []byte(Read(context.Background(), "a.docx", "", data, Limits{}).Text)
	b.SetBytes(int64(len(data)))
	cpu0, n := cpuTime(b), 0
	for b.Loop() {
		if !valid(text) {
			b.Fatal("not valid")
		}
		n++
	}
	b.ReportMetric(float64(n)*float64(len(data))/1e6/(cpuTime(b)-cpu0).Seconds(), "cpu-MB/s")
}
