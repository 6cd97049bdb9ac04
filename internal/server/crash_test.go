package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/sink"
)

// TestCrashLosesNothing builds misend, runs `misend serve` against a sink,
// sends messages while killing the process with SIGKILL and restarting it,
// and checks that every message answered 250 reached the sink or waits in
// the spool. Unparsed or undecided mail passes here (--fail-safe pass) so
// that delivery, not only acceptance, is interrupted by the kills. It runs
// with cut-through (the default: passing mail is answered on the
// upstream's 250) and without it (every message goes through the spool).
func TestCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and sends thousands of messages")
	}
	bin := filepath.Join(t.TempDir(), "misend")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/misend/misend/cmd/misend").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, flag := range []string{"--cut-through", "--no-cut-through"} {
		t.Run(flag, func(t *testing.T) { crashLosesNothing(t, bin, flag) })
	}
}

func crashLosesNothing(t *testing.T, bin, flag string) {
	const total, kills = 5000, 5
	dir := t.TempDir()
	sk, up := startSink(t)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	smtpAddr := l.Addr().String()
	l.Close()
	spool := filepath.Join(dir, "spool")
	var logs bytes.Buffer // every incarnation's log, for the duplicates it counted
	run := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--db", filepath.Join(dir, "m.db"), "--org-domain", "corp.example",
			"--smtp", smtpAddr, "--http", "", "--upstream", up, "--upstream-tls", "none", "--fail-safe", "pass", "--spool", spool, flag)
		cmd.Stderr = &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	cmd := run()
	// Several clients send at once, and the kills come from outside their
	// sessions, so some land in the middle of one: after misend took a
	// message and before the client heard 250, when the client sends it
	// again as an MTA would.
	var mu sync.Mutex
	acked := map[string]bool{}
	ids := make(chan string)
	go func() {
		defer close(ids)
		for i := range total {
			ids <- fmt.Sprintf("crash-%05d", i)
		}
	}()
	deadline := time.Now().Add(90 * time.Second)
	var senders sync.WaitGroup
	for range 8 {
		senders.Go(func() {
			for id := range ids {
				for sendOnce(smtpAddr, id) != nil {
					if time.Now().After(deadline) {
						return
					}
					time.Sleep(5 * time.Millisecond) // restarting, or a 4xx: retry like an MTA
				}
				mu.Lock()
				acked[id] = true
				mu.Unlock()
			}
		})
	}
	ackedNow := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acked)
	}
	for k := 1; k <= kills; k++ {
		for ackedNow() < k*total/(kills+1) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		cmd.Process.Kill()
		cmd.Wait()
		cmd = run()
	}
	senders.Wait()
	// Let the last incarnation drain, then stop it cleanly.
	waitDrain := time.Now().Add(30 * time.Second)
	for time.Now().Before(waitDrain) {
		if delivered(sk) >= len(acked) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()

	got := map[string]int{}
	for _, m := range sk.Messages() {
		got[messageKey(string(m.Data))]++
	}
	q, err := queue.Open(spool)
	if err != nil {
		t.Fatal(err)
	}
	waiting := map[string]bool{}
	for _, s := range []queue.State{queue.Held, queue.Queued, queue.Confirming, queue.Delayed} {
		for _, it := range q.List(s) {
			b, _ := q.Body(it.ID)
			waiting[messageKey(string(b))] = true
		}
	}
	lost, dups := 0, 0
	for id := range acked {
		if got[id] == 0 && !waiting[id] {
			lost++
		}
		if got[id] > 1 {
			dups += got[id] - 1
		}
	}
	counted := countedDuplicates(t, logs.Bytes())
	t.Logf("acknowledged %d, delivered %d distinct, waiting %d, duplicates %d, counted by misend %+v",
		len(acked), len(got), len(waiting), dups, counted)
	if lost > 0 {
		t.Errorf("%d acknowledged messages lost", lost)
	}
	if n := counted.inFlight + counted.takenAgain + counted.uncertain; dups > n {
		t.Errorf("%d duplicates delivered, misend counted only %d", dups, n)
	}
	if len(acked) < total/2 {
		t.Errorf("only %d of %d messages acknowledged in time", len(acked), total)
	}
}

func delivered(s *sink.Sink) int { return len(s.Messages()) }

// duplicateCounts are what misend's logs say may have been delivered twice.
type duplicateCounts struct {
	inFlight   int // deliveries in flight at a kill, found at the restart
	takenAgain int // messages a client sent again after misend took them
	uncertain  int // cut-through attempts with no answer after the data
}

func countedDuplicates(t *testing.T, logs []byte) duplicateCounts {
	t.Helper()
	var c duplicateCounts
	for _, line := range bytes.Split(logs, []byte{'\n'}) {
		var e struct {
			Msg       string `json:"msg"`
			Count     int    `json:"count"`
			Uncertain bool   `json:"uncertain"`
		}
		if json.Unmarshal(line, &e) != nil {
			continue // a line torn by the kill
		}
		switch e.Msg {
		case "messages were in flight at the last stop and may be delivered twice":
			c.inFlight += e.Count
		case "message taken again":
			c.takenAgain++
		case "cut-through failed, spooling":
			if e.Uncertain {
				c.uncertain++
			}
		}
	}
	return c
}

func messageKey(data string) string {
	i := strings.Index(data, "crash-")
	if i < 0 || len(data) < i+11 {
		return ""
	}
	return data[i : i+11]
}

func sendOnce(addr, id string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	c := smtp.NewClient(conn)
	defer c.Close()
	body := "From: a@corp.example\r\nTo: b@partner.example\r\nSubject: " + id + "\r\nMessage-ID: <" + id + "@corp.example>\r\n\r\nhello\r\n"
	if err := c.SendMail("a@corp.example", []string{"b@partner.example"}, strings.NewReader(body)); err != nil {
		return err
	}
	c.Quit() // the 250 for DATA already came; QUIT failing does not undo it
	return nil
}
