package attach

import (
	"context"
	"testing"
)

func benchRead(b *testing.B, file string) {
	data := readFile(b, file)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		res := Read(context.Background(), file, "", data, Limits{})
		if len(res.Problems) > 0 || len(res.Text) < 100 {
			b.Fatalf("problems %v, %d octets of text", res.Problems, len(res.Text))
		}
	}
}

// A 50 KB Word document of about 1000 paragraphs.
func BenchmarkDOCX50K(b *testing.B) { benchRead(b, "bench50k.docx") }

// A 220 KB PDF of the same kind of text, 20 pages.
func BenchmarkPDF200K(b *testing.B) { benchRead(b, "bench200k.pdf") }

// An archive of a Word document and a presentation.
func BenchmarkZIP(b *testing.B) { benchRead(b, "plain.zip") }

func BenchmarkXLSX(b *testing.B) { benchRead(b, "list.xlsx") }
