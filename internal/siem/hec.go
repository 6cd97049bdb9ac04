package siem

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// HEC posts events as JSON over HTTPS to a Splunk HTTP Event Collector
// (or a collector that speaks its protocol: Cribl, Vector, Fluent Bit, the
// OpenTelemetry collector's splunk_hec receiver). Each request carries
// several events, one {"time","host","source","sourcetype","event"} object
// after another, and counts as taken only when the collector answers 2xx;
// a batch too large for one request goes in several, and the exporter's
// cursor moves past each request the collector took, so an outage in the
// middle of a batch sends nothing twice.
//
// Indexer acknowledgement (the channel and /services/collector/ack) is not
// used: a 2xx from HEC means the event was received, and a collector that
// loses received events is beyond what a sender can repair.
type HEC struct {
	url        string
	token      string
	index      string
	host       string
	source     string
	sourcetype string
	client     *http.Client
	// maxBody bounds one request's body: Splunk refuses bodies over its
	// max_content_length (1 MB on older versions) with 413.
	maxBody int
}

// HECOptions configure an HEC sink.
type HECOptions struct {
	// URL is the collector, e.g. https://splunk.corp.example:8088; a URL
	// without a path gets /services/collector/event. Only https is taken:
	// the token and the events must not cross the network in the clear.
	URL string
	// Token is the HEC token, sent as "Authorization: Splunk TOKEN".
	Token string
	// CAFile, if given, holds the PEM certificates the collector's is
	// checked against (default: the system's).
	CAFile     string
	Index      string // optional: the index, else the token's default
	Source     string // default "misend"
	Sourcetype string // default "misend:event"
	Timeout    time.Duration
}

// NewHEC checks o and returns the sink.
func NewHEC(o HECOptions) (*HEC, error) {
	u, err := url.Parse(o.URL)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("HEC URL %q: want https://host:port[/services/collector/event]", o.URL)
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("HEC URL %q: want https://, so that the token and the events are encrypted", o.URL)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/services/collector/event"
	}
	tok := strings.TrimSpace(o.Token)
	if tok == "" || strings.ContainsAny(tok, " \t\r\n") {
		return nil, errors.New("HEC token: empty or not one word")
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("HEC CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("HEC CA %s: no PEM certificate", o.CAFile)
		}
		tc.RootCAs = pool
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	h := &HEC{url: u.String(), token: tok, index: o.Index, source: o.Source, sourcetype: o.Sourcetype, maxBody: 1 << 20,
		client: &http.Client{Timeout: timeout, Transport: &http.Transport{TLSClientConfig: tc, Proxy: http.ProxyFromEnvironment,
			MaxIdleConns: 2, IdleConnTimeout: time.Minute, TLSHandshakeTimeout: 10 * time.Second},
			// A redirect would carry the token to wherever it points.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if h.source == "" {
		h.source = "misend"
	}
	if h.sourcetype == "" {
		h.sourcetype = "misend:event"
	}
	if h.host, err = os.Hostname(); err != nil || h.host == "" {
		h.host = "misend"
	}
	return h, nil
}

// Name implements Sink; the token is no part of it (it names the cursor
// and appears in logs).
func (h *HEC) Name() string { return "hec:" + h.url }

// hecEvent is one event as HEC takes it.
type hecEvent struct {
	Time       json.Number `json:"time"` // epoch seconds, milliseconds after the point
	Host       string      `json:"host"`
	Source     string      `json:"source"`
	Sourcetype string      `json:"sourcetype"`
	Index      string      `json:"index,omitempty"`
	Event      Event       `json:"event"`
}

// Send implements Sink.
func (h *HEC) Send(ctx context.Context, events []Event) error {
	_, err := h.SendSome(ctx, events)
	return err
}

// SendSome implements Partial: it posts events in requests of at most
// maxBody bytes and returns how many leading events the collector took.
func (h *HEC) SendSome(ctx context.Context, events []Event) (int, error) {
	taken := 0
	var body bytes.Buffer
	n := 0 // events in body
	for i, e := range events {
		b, err := h.encode(e)
		if err != nil {
			return taken, err
		}
		if n > 0 && body.Len()+len(b) > h.maxBody {
			if err := h.post(ctx, body.Bytes()); err != nil {
				return taken, err
			}
			taken += n
			body.Reset()
			n = 0
		}
		body.Write(b)
		n++
		if i == len(events)-1 {
			if err := h.post(ctx, body.Bytes()); err != nil {
				return taken, err
			}
			taken += n
		}
	}
	return taken, nil
}

func (h *HEC) encode(e Event) ([]byte, error) {
	ms := e.At.UnixMilli()
	t := json.Number(fmt.Sprintf("%d.%03d", ms/1000, ms%1000))
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(hecEvent{Time: t, Host: h.host, Source: h.source, Sourcetype: h.sourcetype, Index: h.index, Event: e}); err != nil {
		return nil, fmt.Errorf("HEC: encode event %s/%d: %w", e.Type, e.ID, err)
	}
	return b.Bytes(), nil
}

// HECError is a collector's refusal. Status 403 or 401 is a token it
// does not take; 503 a collector busy or its indexers full.
type HECError struct {
	URL        string
	Status     int
	Code       int    // HEC's own code in the answer, -1 without one
	Text       string // HEC's text, or the start of the answer
	RetryAfter time.Duration
}

func (e *HECError) Error() string {
	var why string
	switch {
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		why = "the collector refused the token: check [siem] hec_token_file and that the token is enabled in Splunk (Settings → Data inputs → HTTP Event Collector)"
	case e.Status == http.StatusRequestEntityTooLarge:
		why = "the request was too large for the collector's max_content_length"
	case e.Status == http.StatusNotFound:
		why = "no event collector at this path: is HEC enabled, and the URL …/services/collector/event?"
	case e.Status == http.StatusBadRequest:
		why = "the collector refused the events as malformed (index or sourcetype not allowed for the token?)"
	case e.Status >= 500:
		why = "the collector is unavailable or busy; events wait in misend's database and are sent again"
	default:
		why = "unexpected answer"
	}
	s := fmt.Sprintf("HEC %s: HTTP %d", e.URL, e.Status)
	if e.Text != "" {
		s += fmt.Sprintf(" (%q", e.Text)
		if e.Code >= 0 {
			s += fmt.Sprintf(", code %d", e.Code)
		}
		s += ")"
	}
	return s + ": " + why
}

// Wait implements the exporter's hint: a collector that named when to come
// back is not asked before.
func (e *HECError) Wait() time.Duration { return e.RetryAfter }

func (h *HEC) post(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("HEC %s: %w", h.url, err)
	}
	req.Header.Set("Authorization", "Splunk "+h.token)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := h.client.Do(req)
	if err != nil {
		// The URL in the error is ours; the token is in a header, never in it.
		return fmt.Errorf("HEC: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return hecAnswer(h.url, resp.StatusCode, resp.Header.Get("Retry-After"), answer)
}

// hecAnswer reads a collector's answer: nil for a 2xx, else an HECError
// with what it said ({"text":…,"code":…}, or the start of whatever came,
// as valid UTF-8) and the wait it asked for (Retry-After in seconds,
// at most an hour). The answer is the collector's: anything may come.
func hecAnswer(url string, status int, retryAfter string, answer []byte) error {
	if status >= 200 && status < 300 {
		return nil
	}
	e := &HECError{URL: url, Status: status, Code: -1}
	var js struct {
		Text string `json:"text"`
		Code *int   `json:"code"`
	}
	if json.Unmarshal(answer, &js) == nil && (js.Text != "" || js.Code != nil) {
		e.Text = js.Text
		if js.Code != nil {
			e.Code = *js.Code
		}
	} else {
		e.Text = strings.TrimSpace(string(answer))
	}
	e.Text = strings.ToValidUTF8(e.Text, "")
	if len(e.Text) > 200 {
		e.Text = strings.ToValidUTF8(e.Text[:200], "")
	}
	if s, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && s > 0 {
		e.RetryAfter = min(time.Duration(min(s, 3600))*time.Second, time.Hour)
	}
	return e
}

// Close implements Sink.
func (h *HEC) Close() error {
	h.client.CloseIdleConnections()
	return nil
}
