package demo

import (
	"testing"

	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/directory"
)

func TestSenderLang(t *testing.T) {
	dir := directory.New([]directory.Person{
		{Address: "kato@corp.example", Name: "加藤 さくら"},
		{Address: "smith@corp.example", Name: "Paul Smith"},
		{Address: "lee@corp.example", Name: "Lee Min", Lang: "ja"},
		{Address: "sato@corp.example", Name: "佐藤 一郎", Lang: "en"},
	}, nil)
	org := &learned{svc: &check.Loaded{Directory: directory.NewCurrent(dir)}}
	for addr, want := range map[string]string{
		"kato@corp.example": "ja", "smith@corp.example": "en", "lee@corp.example": "ja",
		"sato@corp.example": "en", "nobody@corp.example": "ja",
	} {
		if got := senderLang(org, addr); got != want {
			t.Errorf("%s: %s, want %s", addr, got, want)
		}
	}
}
