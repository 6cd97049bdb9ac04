package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Action is what a link lets its holder do to one queued message.
type Action string

const (
	ActConfirm Action = "confirm" // the sender confirms: the message leaves
	ActCancel  Action = "cancel"  // the sender withdraws it
	ActRelease Action = "release" // an approver lets it leave
	ActReject  Action = "reject"  // an approver refuses it
)

func (a Action) valid() bool {
	switch a {
	case ActConfirm, ActCancel, ActRelease, ActReject:
		return true
	}
	return false
}

// Grant is the signed content of a link: who may do what to which message,
// until when.
type Grant struct {
	Action  Action
	QueueID string
	Actor   string // the address the link was mailed to, for the audit trail
	Expires time.Time
}

// Errors from Verify. The HTTP handler shows a generic page for all of them.
var (
	ErrMalformed = errors.New("notify: malformed link")
	ErrSignature = errors.New("notify: link signature does not match")
	ErrExpired   = errors.New("notify: link has expired")
)

// Signer makes and checks HMAC-SHA256-signed links. Tokens are opaque to
// their holder but not secret: they carry a queue id and an address, never
// message content.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer with key, which must be at least 32 bytes of
// secret randomness kept across restarts (links outlive a process).
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("notify: signing key has %d bytes, need at least 32", len(key))
	}
	return &Signer{key: append([]byte(nil), key...)}, nil
}

var b64 = base64.RawURLEncoding

// Sign returns the token for g.
func (s *Signer) Sign(g Grant) string {
	payload := strings.Join([]string{"v1", string(g.Action), g.QueueID, g.Actor, strconv.FormatInt(g.Expires.Unix(), 10)}, "\n")
	return b64.EncodeToString([]byte(payload)) + "." + b64.EncodeToString(s.mac([]byte(payload)))
}

func (s *Signer) mac(p []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(p)
	return m.Sum(nil)
}

// maxToken bounds the work done on hostile input before the MAC check.
const maxToken = 2048

// Verify checks token's signature and expiry at now and returns its grant.
func (s *Signer) Verify(token string, now time.Time) (Grant, error) {
	if len(token) > maxToken {
		return Grant{}, ErrMalformed
	}
	p64, m64, ok := strings.Cut(token, ".")
	if !ok {
		return Grant{}, ErrMalformed
	}
	payload, err1 := b64.DecodeString(p64)
	mac, err2 := b64.DecodeString(m64)
	if err1 != nil || err2 != nil {
		return Grant{}, ErrMalformed
	}
	if !hmac.Equal(mac, s.mac(payload)) {
		return Grant{}, ErrSignature
	}
	f := strings.Split(string(payload), "\n")
	if len(f) != 5 || f[0] != "v1" {
		return Grant{}, ErrMalformed
	}
	exp, err := strconv.ParseInt(f[4], 10, 64)
	if err != nil {
		return Grant{}, ErrMalformed
	}
	g := Grant{Action: Action(f[1]), QueueID: f[2], Actor: f[3], Expires: time.Unix(exp, 0).UTC()}
	if !g.Action.valid() || g.QueueID == "" {
		return Grant{}, ErrMalformed
	}
	if !now.Before(g.Expires) {
		return Grant{}, ErrExpired
	}
	return g, nil
}
