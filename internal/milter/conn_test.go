package milter

import (
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// writeCounter counts the writes that reach the connection.
type writeCounter struct {
	net.Conn
	mu     sync.Mutex
	writes int
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.writes++
	w.mu.Unlock()
	return w.Conn.Write(p)
}

// The headers misend adds or removes at the end of a message leave with the
// verdict in one write; every other answer leaves at once.
func TestAnswerInOneWrite(t *testing.T) {
	add := packet('h', "X-Misend-Verdict\x00pass\x00")
	change := packet('m', "\x00\x00\x00\x01X-Misend-Score\x00\x00")
	accept := packet('a')
	cont := packet('c')
	big := packet('h', "X-Big\x00", strings.Repeat("x", maxPending), "\x00")
	tests := []struct {
		name   string
		writes [][]byte // as go-milter writes them
		want   int      // writes of the connection
	}{
		{"verdict alone", [][]byte{accept}, 1},
		{"an answer before the end", [][]byte{cont}, 1},
		{"headers, then the verdict", [][]byte{add, add, change, accept}, 1},
		{"a header in two writes, then the verdict", [][]byte{add[:9], add[9:], accept}, 1},
		{"answers in turn", [][]byte{cont, cont, add, accept, cont}, 4},
		{"too much to keep", [][]byte{big, accept}, 2},
		{"a length split over writes", [][]byte{add[:3], add[3:], accept}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := net.Pipe()
			defer a.Close()
			got := make(chan []byte)
			go func() {
				all, _ := io.ReadAll(b)
				got <- all
			}()
			wc := &writeCounter{Conn: a}
			c := &idleConn{Conn: wc, idle: 5 * time.Second}
			var want []byte
			for _, w := range tt.writes {
				if n, err := c.Write(w); n != len(w) || err != nil {
					t.Fatalf("Write: %d, %v", n, err)
				}
				want = append(want, w...)
			}
			a.Close()
			if all := <-got; !bytes.Equal(all, want) {
				t.Errorf("the MTA read %q, want %q", all, want)
			}
			if wc.writes != tt.want {
				t.Errorf("%d writes, want %d", wc.writes, tt.want)
			}
		})
	}
}
