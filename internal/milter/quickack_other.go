//go:build !linux

package milter

import (
	"net"
	"syscall"
)

// Only Linux has TCP_QUICKACK (see quickack_linux.go).

func rawConn(net.Conn) syscall.RawConn { return nil }

func quickAck(syscall.RawConn) {}
