package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		date string
		rel  string
		want []string // in String()
		not  []string
	}{
		{"no build info", nil, false, "", "", []string{"misend (unknown)"}, []string{"commit"}},
		{"go install of a tag", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/misend/misend", Version: "v1.2.3"},
			Settings: []debug.BuildSetting{{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"}}}, true, "", "",
			[]string{"misend v1.2.3", "go1.26.8 linux/arm64"}, []string{"commit"}},
		{"work tree with changes", &debug.BuildInfo{Main: debug.Module{Path: "github.com/misend/misend", Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-01T09:00:00Z"},
				{Key: "vcs.modified", Value: "true"}}}, true, "", "",
			[]string{"misend (devel)", "commit 0123456789ab+modified", "committed 2026-12-01T09:00:00Z"}, nil},
		{"release build date wins over commit time", &debug.BuildInfo{Main: debug.Module{Version: "v1.0.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.time", Value: "2026-11-01T00:00:00Z"}}}, true,
			"2026-12-02T10:00:00Z", "", []string{"commit abc,", "built 2026-12-02T10:00:00Z"}, []string{"committed"}},
		{"package of a work tree", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "", "1.4.0", []string{"misend v1.4.0 "}, nil},
		{"a stamped tag wins over the package's", &debug.BuildInfo{Main: debug.Module{Version: "v1.3.0"}}, true, "", "1.4.0", []string{"misend v1.3.0 "}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			BuildDate, Release = tt.date, tt.rel
			defer func() { BuildDate, Release = "", "" }()
			s := fromBuildInfo(tt.bi, tt.ok).String()
			for _, w := range tt.want {
				if !strings.Contains(s, w) {
					t.Errorf("%q lacks %q", s, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(s, n) {
					t.Errorf("%q has %q", s, n)
				}
			}
		})
	}
}

func TestReadInTest(t *testing.T) {
	in := Read()
	if in.Go == "" || !strings.Contains(in.Platform, "/") {
		t.Errorf("Read() = %+v", in)
	}
}
