package api

import (
	"crypto/sha256"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultChecksPerMinute is how many drafts one API token may check a
// minute, in a burst or spread out. A person checks a draft before each
// send; a program checking the same draft with one word changed at a time
// is bisecting a confidential-term list, and is slowed to this rate.
const DefaultChecksPerMinute = 30

// tokenBuckets limits requests per API token: each token's bucket holds
// up to perMinute requests and refills at perMinute a minute.
type tokenBuckets struct {
	perMinute float64
	now       func() time.Time

	mu      sync.Mutex
	buckets map[[32]byte]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newTokenBuckets(perMinute int, now func() time.Time) *tokenBuckets {
	if perMinute <= 0 {
		perMinute = DefaultChecksPerMinute
	}
	return &tokenBuckets{perMinute: float64(perMinute), now: now, buckets: map[[32]byte]*bucket{}}
}

// take spends one request of the token r carries, or returns how long to
// wait for one. Tokens are kept only as hashes.
func (t *tokenBuckets) take(r *http.Request) time.Duration {
	_, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	key := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buckets[key]
	if b == nil {
		if len(t.buckets) > 100000 { // a flood of tokens: start again rather than grow
			clear(t.buckets)
		}
		b = &bucket{tokens: t.perMinute, at: now}
		t.buckets[key] = b
	}
	b.tokens = math.Min(t.perMinute, b.tokens+now.Sub(b.at).Minutes()*t.perMinute)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) / t.perMinute * float64(time.Minute))
}

// errRateLimited answers a token that has used up its checks for now.
func errRateLimited(w http.ResponseWriter, wait time.Duration) error {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	return &Error{Status: http.StatusTooManyRequests, Code: CodeRateLimited, Message: "too many checks with this token; wait and try again"}
}
