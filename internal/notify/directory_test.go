package notify

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/policy"
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

// The notice of an approver's decision follows the directory as it is when
// the decision is made, not as it was at the hold: an address nobody has
// any more gets nothing, and a person whose address became an alias is
// written to at their address.
func TestDecidedFollowsTheDirectory(t *testing.T) {
	taro := directory.Person{Address: "taro@corp.example", Department: "営業部", Lang: "ja"}
	boss := directory.Person{Address: "boss@corp.example", Department: "営業部", ApproverOf: []string{"department:営業部"}}
	renamed := taro
	renamed.Address, renamed.Aliases = "t.yamada@corp.example", []string{"taro@corp.example"}
	tests := []struct {
		name    string
		now     []directory.Person // the directory when the approver decides
		wantTo  string             // "" for no notice
		wantErr error
	}{
		{"still here", []directory.Person{taro, boss}, "taro@corp.example", nil},
		{"left", []directory.Person{boss}, "", ErrGone},
		{"address now an alias", []directory.Person{renamed, boss}, "t.yamada@corp.example", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := directory.NewCurrent(directory.New([]directory.Person{taro, boss}, []string{"corp.example"}))
			out := &memOutbox{}
			n := newNotifier(t, out)
			n.People = DirectoryPeople{Dir: cur}
			w := waiting(policy.Hold)
			if err := n.Notify(context.Background(), w); err != nil {
				t.Fatal(err)
			}
			out.got = nil
			cur.Store(directory.New(tt.now, []string{"corp.example"}))
			err := n.Decided(context.Background(), w, true, "")
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Decided: %v, want %v", err, tt.wantErr)
			}
			var to []string
			for _, m := range out.got {
				to = append(to, m.To...)
			}
			if want := []string{tt.wantTo}; (tt.wantTo == "" && len(to) != 0) || (tt.wantTo != "" && !slices.Equal(to, want)) {
				t.Errorf("notices to %v, want %q", to, tt.wantTo)
			}
		})
	}
}
