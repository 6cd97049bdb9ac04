package config

import (
	"path/filepath"
	"syscall"
)

// networkMagic are statfs(2) f_type values of network filesystems, where
// SQLite's locking and shared-memory WAL index are unreliable
// (https://www.sqlite.org/wal.html: "WAL does not work over a network
// filesystem").
var networkMagic = map[uint32]string{
	0x6969:     "nfs",
	0xFF534D42: "cifs",
	0x517B:     "smb",
	0xFE534D42: "smb2",
	0x5346414F: "afs",
	0x00C36400: "ceph",
	0x01021997: "9p",
	0x013111A8: "ibrix",
	0x47504653: "gpfs",
	0x0BD00BD0: "lustre",
}

// networkFS names the network filesystem dir (or its nearest existing
// parent, for a database not made yet) is on; "" for a local one or when
// it cannot tell.
func networkFS(dir string) string {
	for {
		var st syscall.Statfs_t
		if err := syscall.Statfs(dir, &st); err == nil {
			return networkMagic[uint32(st.Type)]
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
