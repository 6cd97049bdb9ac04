package policy

import (
	"testing"

	"github.com/pelletier/go-toml/v2"

	"github.com/misend/misend/internal/finding"
)

const classificationTOML = `
[classification]
labels = { "2096F6A2-D2F7-48BE-B329-B73AAA526E5D" = "極秘", "Project Sakura" = "機密", "秘" = "公開" }
scopes = { "公開" = "" }

[default]
levels = { "社内限定" = "warn" }

[department."法務部"]
levels = { "機密" = "confirm" }
`

func TestClassify(t *testing.T) {
	p := mustPolicy(t, classificationTOML)
	tests := []struct {
		label, level, scope string
		ok                  bool
	}{
		{"社外秘", LevelConfidential, ScopeOrganization, true},
		{"ＣＯＮＦＩＤＥＮＴＩＡＬ", LevelConfidential, ScopeOrganization, true}, // full width, any case
		{"極秘", LevelSecret, ScopeDepartment, true},
		{"2096f6a2-d2f7-48be-b329-b73aaa526e5d", LevelSecret, ScopeDepartment, true}, // a Purview GUID, configured in upper case
		{"project sakura", LevelConfidential, ScopeOrganization, true},
		{"秘", LevelPublic, "", true}, // a built-in tag turned off
		{"公開", LevelPublic, "", true},
		{"General", "", "", false},
		{"見積", "", "", false},
	}
	for _, tt := range tests {
		level, scope, ok := p.Classify(tt.label)
		if level != tt.level || scope != tt.scope || ok != tt.ok {
			t.Errorf("Classify(%q) = %q, %q, %v; want %q, %q, %v", tt.label, level, scope, ok, tt.level, tt.scope, tt.ok)
		}
	}
}

func TestEvaluateLevels(t *testing.T) {
	p := mustPolicy(t, classificationTOML)
	label := func(level string) []finding.Finding {
		return []finding.Finding{{Code: finding.ClassificationLabel, Args: finding.Args{"label": "x", "level": level}}}
	}
	tests := []struct {
		name, dept, level string
		want              Verdict
		rule              string
	}{
		{"機密 is held by default", "営業部", LevelConfidential, Hold, "level:機密"},
		{"a department softens 機密", "法務部", LevelConfidential, Confirm, "level:機密"},
		{"極秘 is held", "法務部", LevelSecret, Hold, "level:極秘"},
		{"the default's own setting", "", LevelInternal, Warn, "level:社内限定"},
		{"a level without a verdict passes", "", "部外", Pass, "default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Evaluate(tt.dept, 0.1, label(tt.level))
			if d.Verdict != tt.want || d.Rule != tt.rule {
				t.Errorf("Evaluate = %s by %q, want %s by %q", d.Verdict, d.Rule, tt.want, tt.rule)
			}
		})
	}
	var zero *Policy
	if d := zero.Evaluate("", 0, label(LevelConfidential)); d.Verdict != Hold {
		t.Errorf("without configuration 機密 gets %s, want hold", d.Verdict)
	}
}

func TestClassificationRejectsBadScope(t *testing.T) {
	var cfg Config
	if err := toml.Unmarshal([]byte("[classification]\nscopes = { \"機密\" = \"world\" }\n[default]\nlevels = { \"機密\" = \"stop\" }\n"), &cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := New(cfg); err == nil {
		t.Fatal("New accepted a scope and a verdict that do not exist")
	}
}
