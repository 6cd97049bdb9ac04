package notify

import (
	"slices"
	"testing"

	"github.com/misend/misend/internal/directory"
)

func TestDirectoryPeople(t *testing.T) {
	dir := directory.New([]directory.Person{
		{Address: "taro@corp.example", Department: "営業部", Lang: "ja"},
		{Address: "boss@corp.example", Department: "営業部", ApproverOf: []string{"department:営業部"}},
		{Address: "ciso@corp.example", Department: "情報システム部", ApproverOf: []string{"organization"}, Lang: "en"},
	}, []string{"corp.example"})
	p := DirectoryPeople{Dir: directory.NewCurrent(dir)}
	tests := []struct {
		dept string
		want []string
	}{
		{"営業部", []string{"boss@corp.example"}},
		{"総務部", []string{"ciso@corp.example"}},
		{"", []string{"ciso@corp.example"}},
	}
	for _, tt := range tests {
		if got := p.ApproversOf(tt.dept); !slices.Equal(got, tt.want) {
			t.Errorf("ApproversOf(%q) = %v, want %v", tt.dept, got, tt.want)
		}
	}
	if p.LangOf("TARO@corp.example") != "ja" || p.LangOf("nobody@corp.example") != "" {
		t.Errorf("LangOf: %q %q", p.LangOf("TARO@corp.example"), p.LangOf("nobody@corp.example"))
	}
}
