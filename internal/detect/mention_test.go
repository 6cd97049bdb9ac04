package detect

import (
	"strings"
	"testing"
)

// TestTextNamesRarest checks which mentions speak for a newcomer: its own
// name anywhere in the text, in either script, but not a name it shares
// with another recipient, the sender or the contact suggested for it.
func TestTextNamesRarest(t *testing.T) {
	d := &Detector{Model: history(t)}
	tests := []struct {
		name  string
		msg   mb
		named bool
	}{
		{name: "copied by full name", msg: newMsg("tn1", me, "Mori Aki <aki.mori@zeta.example>").cc("Kato Yumi <kato.yumi@corp.example>").
			text("Kato-san,\n\nplease see below. I've copied Aki Mori, who runs the project.\n"), named: true},
		{name: "by given name after a dash", msg: newMsg("tn2", me, "Mori Aki <aki.mori@zeta.example>").
			text("aki - can you send the figures by Friday?\n"), named: true},
		{name: "possessive", msg: newMsg("tn3", me, "Mori Aki <aki.mori@zeta.example>", "Kato Yumi <kato.yumi@corp.example>").
			text("Yumi,\nper Mori's note, the meeting moves to 3pm.\n"), named: true},
		{name: "kanji in the body", msg: newMsg("tn4", me, "西村 一郎 <ichiro@zeta.example>").
			text("お疲れ様です。\n西村さんにもお送りします。\n"), named: true},
		{name: "kanji a known namesake shares", msg: newMsg("tn4b", me, "田中 一郎 <ichiro@zeta.example>").
			text("お疲れ様です。\n田中さんにもお送りします。\n"), named: false},
		{name: "kanji given name the namesake lacks", msg: newMsg("tn4c", me, "田中 一郎 <ichiro@zeta.example>").
			text("お疲れ様です。\n一郎さんにもお送りします。\n"), named: true},
		{name: "romaji local part, -san", msg: newMsg("tn5", me, "kenta.nishi@zeta.example").
			text("Hello,\nNishi-san will join the call.\n"), named: true},
		{name: "romaji in kanji text does not name a latin recipient", msg: newMsg("tn6", me, "kenta.nishi@zeta.example").
			text("西さんも参加します。\n"), named: false},
		{name: "not named", msg: newMsg("tn7", me, "Mori Aki <aki.mori@zeta.example>").
			text("Please find the figures attached.\n"), named: false},
		{name: "a name within a longer word does not count", msg: newMsg("tn8", me, "Mori Aki <aki.mori@zeta.example>").
			text("See the memorial fund report.\n"), named: false},
		{name: "the name a known namesake shares", msg: newMsg("tn9", me, "Tanaka Jiro <j.tanaka@zeta.example>", "suzuki@partner-a.co.jp").
			text("Suzuki-san,\nTanaka will bring the samples.\n"), named: false},
		{name: "a given name a frequent contact bears", msg: newMsg("tn9b", me, "Yumi Mori <yumi.mori@zeta.example>").
			text("Yumi will bring the samples.\n"), named: false},
		{name: "the namesake's own given name", msg: newMsg("tn10", me, "Tanaka Jiro <j.tanaka@zeta.example>", "suzuki@partner-a.co.jp").
			text("Suzuki-san,\nJiro will bring the samples.\n"), named: true},
		{name: "the sender's own name is a signature", msg: newMsg("tn11", "Sato Ichiro <"+me+">", "Sato Ken <ken.sato@zeta.example>").
			text("Figures attached.\n\nSato\n"), named: false},
		{name: "one of two newcomers named", msg: newMsg("tn12", me, "Mori Aki <aki.mori@zeta.example>", "Abe Ken <ken.abe@eta.example>").
			text("Hi all,\nAki will present.\n"), named: false},
		{name: "both newcomers named", msg: newMsg("tn13", me, "Mori Aki <aki.mori@zeta.example>", "Abe Ken <ken.abe@eta.example>").
			text("Hi all,\nAki will present, Ken will take notes.\n"), named: true},
		{name: "a name past the bound is not read", msg: newMsg("tn14", me, "Mori Aki <aki.mori@zeta.example>").
			text(strings.Repeat("figures ", maxMentionText/8) + "Mori\n"), named: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := d.Check(tt.msg.m, t0).Features
			if got := f[fTextNamesRarest] > 0; got != tt.named {
				t.Errorf("text_names_rarest %v, want %v", f[fTextNamesRarest], tt.named)
			}
		})
	}
}

func TestScanMentions(t *testing.T) {
	toks := map[string]bool{"kay": true, "shackleton": true, "mark": true, "田中": true, "sara": true, "mann": false, "josé": true}
	var ms []mentioned
	for tok := range toks {
		ms = append(ms, mentioned{tok: tok})
	}
	scanMentions("Kay,\nadding Sara-Shackleton, JOSÉ and MARK; see 田中さん's note on the manning\n", ms)
	for _, m := range ms {
		if m.found != toks[m.tok] {
			t.Errorf("%s: found %v, want %v", m.tok, m.found, toks[m.tok])
		}
	}
}
