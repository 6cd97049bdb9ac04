package notify

import (
	"testing"
	"time"
)

// FuzzVerify: a link token from the outside grants nothing unless it is one
// misend signed, for a valid action, before it expired.
func FuzzVerify(f *testing.F) {
	s, _ := NewSigner(testKey)
	now := time.Unix(1_800_000_000, 0)
	f.Add(s.Sign(Grant{Action: ActConfirm, QueueID: "q", Actor: "a@b", Expires: now.Add(time.Hour)}))
	f.Add("djEKcmVsZWFzZQpxCmEKMQ.AAAA")
	f.Add(".")
	f.Add("..")
	f.Add("djEK.")
	f.Fuzz(func(t *testing.T, tok string) {
		g, err := s.Verify(tok, now)
		if err == nil && (!g.Action.valid() || g.QueueID == "" || !now.Before(g.Expires)) {
			t.Fatalf("accepted bad grant %+v", g)
		}
	})
}
