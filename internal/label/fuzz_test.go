package label

import (
	"testing"
	"unicode/utf8"
)

func FuzzTags(f *testing.F) {
	for _, s := range []string{"【社外秘】見積", "Re: [Confidential] x", "(極秘", "社内限定_議事録.docx", "＜機密＞〔秘〕《公開》"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tags := Tags(s)
		if len(tags) > maxTags {
			t.Fatalf("%d tags", len(tags))
		}
		for _, tag := range tags {
			if tag == "" || (utf8.ValidString(s) && !utf8.ValidString(tag)) {
				t.Fatalf("tag %q of %q", tag, s)
			}
		}
	})
}
