package milter

import (
	"net"
	"syscall"
)

// rawConn is nc's socket, for quickAck; nil when nc is not a TCP
// connection.
func rawConn(nc net.Conn) syscall.RawConn {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// quickAck has the kernel acknowledge what the MTA sends next at once.
//
// Having answered, misend's side of the connection is taken for an
// interactive one and its acknowledgements are delayed, to ride on the
// next answer. But the MTA then sends events misend does not answer
// (MAIL, RCPT, the headers, the body) each in a small write of its own,
// and Postfix does not turn Nagle's algorithm off on milter sockets: each
// write after the first waited for the delayed acknowledgement, 40 ms a
// message once RCPT went unanswered (a message on a kept connection took
// 44 ms through Postfix instead of 3). The kernel leaves quick-ack mode
// again at misend's next answer, so it is asked for after each.
func quickAck(rc syscall.RawConn) {
	if rc != nil {
		rc.Control(func(fd uintptr) {
			syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
		})
	}
}
