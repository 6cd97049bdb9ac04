package attach

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/golden from the extractor's output")

// TestGolden holds every extractor to the text it gave before it was made
// faster: the same files must read the same, octet for octet, lead,
// encrypted parts and problems included. The golden files were written by
// the extractor of commit b1ad5e1, before the work on speed. Since then
// list.xlsx and list.ods have gained the footer LibreOffice prints on
// their pages ("Page", its page number left out), when page headers and
// footers began to be read.
func TestGolden(t *testing.T) {
	for _, file := range []string{
		"bench50k.docx", "quote.docx", "list.xlsx", "deck.pptx", "plain.zip", "ppap.zip",
		"quote.odt", "list.ods", "deck.odp", "quote.pdf", "quote.rtf",
		"header.docx", "header.odt", "header.xlsx", "header.ods", "notes.pptx", "notes.odp",
	} {
		t.Run(file, func(t *testing.T) {
			res := Read(context.Background(), file, "", readFile(t, file), Limits{})
			got := fmt.Sprintf("kind: %s\nencrypted: %q\nproblems: %q\nlead: %d\n%s", res.Kind, res.Encrypted, res.Problems, len(res.Lead), res.Text)
			if !strings.HasPrefix(res.Text, res.Lead) {
				t.Errorf("lead is not the start of the text")
			}
			golden := "testdata/golden/" + file + ".txt"
			if *updateGolden {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("text differs from %s:\n%s", golden, firstDiff(got, string(want)))
			}
		})
	}
}

// firstDiff shows where two texts part, with a little of each.
func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-40)
	return fmt.Sprintf("at octet %d: got %q, want %q", i, got[from:min(len(got), i+40)], want[from:min(len(want), i+40)])
}
