// Package version says which misend this is: the module version, the
// commit it was built from and when, as the Go toolchain stamped them into
// the binary, so an administrator can tell what runs before an upgrade and
// a bug report names the build.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// BuildDate is set by release builds (-ldflags "-X
// github.com/misend/misend/internal/version.BuildDate=2026-12-01T09:00:00Z");
// the Go toolchain itself stamps only the commit's time.
var BuildDate string

// Release is the version a package build names (packaging/build.sh), for
// the binary of a build the toolchain stamped no module version on.
var Release string

// Commit is set by builds the toolchain cannot stamp from version control
// (a git worktree, a source archive): -X …/version.Commit=$(git rev-parse HEAD).
// A revision the toolchain stamped wins.
var Commit string

// Info is what `misend version --json` prints; fields are only ever added.
type Info struct {
	Module     string `json:"module"`
	Version    string `json:"version"`               // "v1.2.3", or "(devel)" for a build from a work tree
	Commit     string `json:"commit,omitempty"`      // VCS revision
	CommitTime string `json:"commit_time,omitempty"` // RFC 3339
	Modified   bool   `json:"modified,omitempty"`    // built with uncommitted changes
	BuildDate  string `json:"build_date,omitempty"`  // RFC 3339, release builds only
	Go         string `json:"go"`
	Platform   string `json:"platform"` // GOOS/GOARCH
}

// Read returns this binary's Info.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	return fromBuildInfo(bi, ok)
}

func fromBuildInfo(bi *debug.BuildInfo, ok bool) Info {
	in := Info{Version: "(unknown)", Commit: Commit, BuildDate: BuildDate, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if !ok || bi == nil {
		return in
	}
	in.Module = bi.Main.Path
	if bi.Main.Version != "" {
		in.Version = bi.Main.Version
	}
	if (in.Version == "(devel)" || in.Version == "(unknown)") && Release != "" {
		in.Version = "v" + strings.TrimPrefix(Release, "v")
	}
	if bi.GoVersion != "" {
		in.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Commit = s.Value
		case "vcs.time":
			in.CommitTime = s.Value
		case "vcs.modified":
			in.Modified = s.Value == "true"
		case "GOOS":
			in.Platform = s.Value + in.Platform[strings.IndexByte(in.Platform, '/'):]
		case "GOARCH":
			in.Platform = in.Platform[:strings.IndexByte(in.Platform, '/')+1] + s.Value
		}
	}
	return in
}

// String is the one-line form: "misend v1.2.3 (commit 0123456789ab, 2026-12-01T09:00:00Z) go1.26.8 linux/amd64".
func (in Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "misend %s", in.Version)
	var paren []string
	if in.Commit != "" {
		c := in.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		if in.Modified {
			c += "+modified"
		}
		paren = append(paren, "commit "+c)
	}
	switch {
	case in.BuildDate != "":
		paren = append(paren, "built "+in.BuildDate)
	case in.CommitTime != "":
		paren = append(paren, "committed "+in.CommitTime)
	}
	if len(paren) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(paren, ", "))
	}
	fmt.Fprintf(&b, " %s %s", in.Go, in.Platform)
	return b.String()
}

// Build names the build in a line: the version and the first twelve
// digits of the commit, as fitted weights record what fitted them.
func (i Info) Build() string {
	if len(i.Commit) > 12 {
		return i.Version + " " + i.Commit[:12]
	}
	return strings.TrimSpace(i.Version + " " + i.Commit)
}
