// Package stamp signs and verifies the confirmation stamp: the
// X-Misend-Confirmed header a mail-client add-in puts on a message after
// its sender confirmed flagged recipients there, so the gateway does not
// ask the same person the same question again.
//
// A stamp names the sender (the person of the directory, by their main
// address), the message (its Message-ID when the add-in knows it, else a
// draft id the add-in chose), when it was issued and until when it holds,
// and the confirmed recipients. The recipients are carried as keyed
// digests, never as addresses: a Bcc recipient confirmed in the add-in
// must not be readable by the others should the header ever leave
// unstripped. An HMAC-SHA256 over all of it is keyed per person with a key
// derived from misend's secret, so one person's stamp cannot vouch for
// another's mail, and nobody without the secret can make one.
//
// The package only signs, parses and checks. What a valid stamp may
// lower (and what it never waives) is decided in internal/decide; the
// API decides who may obtain one.
package stamp

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Header is the stamp's header field name. It starts with X-Misend- on
// purpose: the gateway and the milter strip every such field before mail
// leaves.
const Header = "X-Misend-Confirmed"

// DefaultTTL is how long a stamp holds. The add-in asks for it at Send,
// so the message reaches the gateway within seconds to minutes; an hour
// leaves room for a slow Outbox without making a stamp reusable for
// long.
const DefaultTTL = time.Hour

// Skew is the clock difference allowed between the sender's computer
// (which writes the Date) and misend (which writes the issue time).
const Skew = 5 * time.Minute

// Limits on what a stamp may carry. The stamp must fit one header line
// (998 octets, RFC 5322) even if no MTA folds it: the gateway refuses
// longer lines outright.
const (
	MaxRecipients = 60
	maxIDLen      = 250
	maxSenderLen  = 254
	maxLine       = 998
	digestLen     = 6 // octets per recipient digest: 8 base64 characters
)

// KeyLen is the length of the secret in octets.
const KeyLen = 32

// Errors a stamp fails with; Reason names them for metrics and for the
// operators' explanation.
var (
	ErrMalformed   = errors.New("malformed stamp")
	ErrForged      = errors.New("stamp signature does not verify")
	ErrExpired     = errors.New("stamp expired")
	ErrOtherSender = errors.New("stamp is another sender's")
	ErrOtherMsg    = errors.New("stamp is for another message")
	ErrDate        = errors.New("message Date is outside the stamp's time")
	ErrTooLarge    = errors.New("too many confirmed recipients for one stamp")
)

// Reason is the short name of err for a metric label: valid, malformed,
// forged, expired, sender, message or date.
func Reason(err error) string {
	switch {
	case err == nil:
		return "valid"
	case errors.Is(err, ErrForged):
		return "forged"
	case errors.Is(err, ErrExpired):
		return "expired"
	case errors.Is(err, ErrOtherSender):
		return "sender"
	case errors.Is(err, ErrOtherMsg):
		return "message"
	case errors.Is(err, ErrDate):
		return "date"
	}
	return "malformed"
}

// Keys signs and verifies stamps with misend's secret. Safe for
// concurrent use.
type Keys struct {
	secret []byte
}

// New returns Keys for secret, which must be KeyLen octets of randomness
// shared by every replica that issues or verifies stamps.
func New(secret []byte) (*Keys, error) {
	if len(secret) < KeyLen {
		return nil, fmt.Errorf("stamp key: %d octets, need %d", len(secret), KeyLen)
	}
	return &Keys{secret: slices.Clone(secret)}, nil
}

// Claim is what a stamp says.
type Claim struct {
	Sender string // the person's main address
	// MessageID binds the stamp to one message when the add-in knows its
	// Message-ID; else DraftID names the draft (Outlook assigns the
	// Message-ID only after Send).
	MessageID string
	DraftID   string
	Issued    time.Time
	Expires   time.Time
	// Recipients are the confirmed addresses.
	Recipients []string
}

// Facts are what the gateway knows of the message a stamp came with.
type Facts struct {
	Sender     string // who sent it, settled by internal/decide
	MessageID  string
	Date       time.Time // the message's Date; zero when missing
	Recipients []string  // every recipient, as judged
}

// userKey is the person's own key: a stamp made for one person does not
// verify for another even if all else were equal.
func (k *Keys) userKey(sender string) []byte {
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte("misend confirmation key v1\x00"))
	m.Write([]byte(sender))
	return m.Sum(nil)
}

func digest(key []byte, rcpt string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("rcpt\x00"))
	m.Write([]byte(rcpt))
	return m.Sum(nil)[:digestLen]
}

// fields is a stamp as written: v=1; s=…; m=… or d=…; t=…; x=…; r=…; b=…
type fields struct {
	sender, idKind, id, t, x, r, b string
}

func (f fields) signed() []byte {
	return []byte("misend-confirmed v1\n" + f.sender + "\n" + f.idKind + ":" + f.id + "\n" + f.t + "\n" + f.x + "\n" + f.r + "\n")
}

// mac is the signature of f's signed part under the sender's key.
func (f fields) mac(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(f.signed())
	return m.Sum(nil)
}

func (f fields) String() string {
	return "v=1; s=" + f.sender + "; " + f.idKind + "=" + f.id + "; t=" + f.t + "; x=" + f.x + "; r=" + f.r + "; b=" + f.b
}

// Sign returns the header value of a stamp for c.
func (k *Keys) Sign(c Claim) (string, error) {
	sender := strings.ToLower(strings.TrimSpace(c.Sender))
	if sender == "" || len(sender) > maxSenderLen || !token(sender) {
		return "", fmt.Errorf("stamp: sender %q: %w", c.Sender, ErrMalformed)
	}
	f := fields{sender: sender, idKind: "m", id: strings.Trim(c.MessageID, "<>")}
	if f.id == "" {
		f.idKind, f.id = "d", c.DraftID
	}
	if f.id == "" || len(f.id) > maxIDLen || !token(f.id) {
		return "", fmt.Errorf("stamp: message or draft id %q: %w", f.id, ErrMalformed)
	}
	if !c.Expires.After(c.Issued) {
		return "", fmt.Errorf("stamp: expires before it is issued: %w", ErrMalformed)
	}
	rcpts := normalized(c.Recipients)
	if len(rcpts) == 0 {
		return "", fmt.Errorf("stamp: no recipients: %w", ErrMalformed)
	}
	if len(rcpts) > MaxRecipients {
		return "", fmt.Errorf("stamp: %d recipients, at most %d: %w", len(rcpts), MaxRecipients, ErrTooLarge)
	}
	key := k.userKey(sender)
	ds := make([][]byte, len(rcpts))
	for i, r := range rcpts {
		ds[i] = digest(key, r)
	}
	// Sorted digests: the stamp says nothing about the order the sender
	// ticked them in, and the same set signs the same.
	slices.SortFunc(ds, bytes.Compare)
	f.r = base64.RawURLEncoding.EncodeToString(bytes.Join(ds, nil))
	f.t = strconv.FormatInt(c.Issued.Unix(), 10)
	f.x = strconv.FormatInt(c.Expires.Unix(), 10)
	f.b = base64.RawURLEncoding.EncodeToString(f.mac(key))
	v := f.String()
	if len(Header)+2+len(v) > maxLine {
		return "", fmt.Errorf("stamp: %d octets: %w", len(v), ErrTooLarge)
	}
	return v, nil
}

// Verify checks value against the message and returns the message's
// recipients the stamp confirms (possibly none: the sender removed every
// one of them after confirming). now is when the message is judged.
func (k *Keys) Verify(value string, msg Facts, now time.Time) ([]string, error) {
	f, err := parse(value)
	if err != nil {
		return nil, err
	}
	key := k.userKey(f.sender)
	sig, err := base64.RawURLEncoding.DecodeString(f.b)
	if err != nil || !hmac.Equal(sig, f.mac(key)) {
		return nil, ErrForged
	}
	// Signed by misend for f.sender: now whether it fits this message.
	if f.sender != strings.ToLower(strings.TrimSpace(msg.Sender)) {
		return nil, fmt.Errorf("%w (%s, not %s)", ErrOtherSender, f.sender, msg.Sender)
	}
	if f.idKind == "m" && f.id != strings.Trim(msg.MessageID, "<>") {
		return nil, ErrOtherMsg
	}
	issued, _ := strconv.ParseInt(f.t, 10, 64)
	expires, _ := strconv.ParseInt(f.x, 10, 64)
	if now.Unix() > expires {
		return nil, fmt.Errorf("%w at %s", ErrExpired, time.Unix(expires, 0).UTC().Format(time.RFC3339))
	}
	if msg.Date.IsZero() || msg.Date.Before(time.Unix(issued, 0).Add(-Skew)) || msg.Date.After(time.Unix(expires, 0).Add(Skew)) {
		return nil, ErrDate
	}
	raw, _ := base64.RawURLEncoding.DecodeString(f.r)
	var out []string
	for _, r := range normalized(msg.Recipients) {
		d := digest(key, r)
		for i := 0; i+digestLen <= len(raw); i += digestLen {
			if hmac.Equal(raw[i:i+digestLen], d) {
				out = append(out, r)
				break
			}
		}
	}
	return out, nil
}

// parse reads a header value, unfolded or not, into its fields; every
// field must be there once, in any order, and nothing else.
func parse(value string) (fields, error) {
	var f fields
	if len(value) > 4*maxLine {
		return f, fmt.Errorf("%w: %d octets", ErrMalformed, len(value))
	}
	// An MTA may fold the line at any space: whitespace means nothing in
	// a stamp.
	value = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, value)
	seen := map[string]bool{}
	for part := range strings.SplitSeq(value, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || seen[k] || !token(v) {
			return f, fmt.Errorf("%w: field %q", ErrMalformed, k)
		}
		seen[k] = true
		switch k {
		case "v":
			if v != "1" {
				return f, fmt.Errorf("%w: version %q", ErrMalformed, v)
			}
		case "s":
			f.sender = v
		case "m", "d":
			if f.idKind != "" {
				return f, fmt.Errorf("%w: both m and d", ErrMalformed)
			}
			f.idKind, f.id = k, v
		case "t":
			f.t = v
		case "x":
			f.x = v
		case "r":
			f.r = v
		case "b":
			f.b = v
		default:
			return f, fmt.Errorf("%w: unknown field %q", ErrMalformed, k)
		}
	}
	if !seen["v"] || f.sender == "" || f.id == "" || len(f.sender) > maxSenderLen || len(f.id) > maxIDLen {
		return f, fmt.Errorf("%w: a field is missing", ErrMalformed)
	}
	for _, n := range []string{f.t, f.x} {
		if _, err := strconv.ParseUint(n, 10, 63); err != nil || n != strconv.FormatUint(mustUint(n), 10) {
			return f, fmt.Errorf("%w: time %q", ErrMalformed, n)
		}
	}
	raw, err := base64.RawURLEncoding.DecodeString(f.r)
	if err != nil || len(raw) == 0 || len(raw)%digestLen != 0 || len(raw)/digestLen > MaxRecipients {
		return f, fmt.Errorf("%w: recipients", ErrMalformed)
	}
	if len(f.b) != 43 {
		return f, fmt.Errorf("%w: signature", ErrMalformed)
	}
	return f, nil
}

func mustUint(s string) uint64 { n, _ := strconv.ParseUint(s, 10, 63); return n }

// token reports whether s is printable ASCII without spaces, ';' or '=':
// what can stand as a field value unquoted.
func token(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == ';' || c == '=' {
			return false
		}
	}
	return true
}

// normalized lower-cases, trims and de-duplicates addresses.
func normalized(addrs []string) []string {
	var out []string
	for _, a := range addrs {
		a = strings.ToLower(strings.Trim(strings.TrimSpace(a), "<>"))
		if a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// maxPerMessage is how many stamps are read from one message: it has
// one; more are noise, not more trust.
const maxPerMessage = 8

// Values returns the stamps in the header section of raw, unfolded, in
// order; at most 8.
func Values(raw []byte) []string {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		end = len(raw)
	}
	hdr := raw[:end]
	if !bytes.Contains(bytes.ToLower(hdr), fieldName) {
		return nil
	}
	var c Collector
	for line := range bytes.SplitSeq(hdr, []byte("\n")) {
		c.Line(line)
	}
	return c.Values()
}

var fieldName = []byte(strings.ToLower(Header) + ":")

// Collector reads the stamps from header lines handed to it one at a
// time, so that a pass over the header doing something else with them
// reads the stamps too: the gateway strips every X-Misend-* field in the
// same pass. The zero value is ready.
type Collector struct {
	out   []string
	cur   *strings.Builder
	ended bool
}

// Line takes the next line of the header section, with or without its
// line end. An empty line ends the header, whatever the line endings:
// what follows is ignored.
func (c *Collector) Line(line []byte) {
	if c.ended {
		return
	}
	line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
	if len(line) == 0 {
		c.finish()
		c.ended = true
		return
	}
	if line[0] == ' ' || line[0] == '\t' {
		if c.cur != nil {
			c.cur.Write(line)
		}
		return
	}
	c.finish()
	if len(c.out) < maxPerMessage && len(line) >= len(fieldName) && bytes.EqualFold(line[:len(fieldName)], fieldName) {
		c.cur = &strings.Builder{}
		c.cur.Write(line[len(fieldName):])
	}
}

func (c *Collector) finish() {
	if c.cur != nil {
		c.out = append(c.out, strings.TrimSpace(c.cur.String()))
		c.cur = nil
	}
}

// Values returns the stamps of the lines taken so far, unfolded, in
// order; at most 8.
func (c *Collector) Values() []string {
	c.finish()
	return c.out
}
