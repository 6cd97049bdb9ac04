package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/ingest"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/memlimit"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/store"
)

// parseMail reads one message; tests replace it.
var parseMail = mail.Parse

type checkCmd struct {
	JSON     bool   `help:"One JSON object per message (the check --json schema)."`
	Operator bool   `help:"Show operator-only details (matched confidential terms)."`
	Lang     string `help:"Language of the findings' sentences (en or ja)." enum:"en,ja" default:"en"`
	Path     string `arg:"" help:"A message file, a directory or mailbox of messages, or - for standard input."`
}

// Run scores each message as if sent at its own Date, without learning from
// it. The exit status is 0 whatever the verdicts (flagged mail is a result,
// not an error); it is non-zero when the model cannot be loaded or a
// message cannot be read.
func (c *checkCmd) Run(g *Globals) error {
	ctx := context.Background()
	if c.Path != "-" {
		if _, err := os.Stat(c.Path); err != nil {
			return err
		}
	}
	if _, err := os.Stat(g.DB); err != nil && !strings.Contains(g.DB, "://") {
		return fmt.Errorf("%s: no model yet (run misend import first): %w", g.DB, err)
	}
	// Loading the model makes most of check's garbage: a soft heap limit
	// while it loads keeps the peak near what the model needs (Enron's
	// full model: 155 MB resident without it, 124 MB with it, at 0.1 s
	// more CPU), raised afterwards for a model that needs more.
	lim := memlimit.Start(checkHeapFloor)
	defer lim.Stop()
	svc, err := checkService(ctx, g)
	if err != nil {
		return err
	}
	lim.Fit()
	out := checkPrinter{w: os.Stdout, json: c.JSON, operator: c.Operator, lang: c.Lang}
	if c.Path == "-" {
		msg, err := parseMail(os.Stdin, mail.Limits{})
		if err != nil {
			return fmt.Errorf("standard input: %w", err)
		}
		return out.print("-", msg, svc)
	}
	if fi, err := os.Stat(c.Path); err == nil && !fi.IsDir() && !looksLikeMailbox(c.Path) {
		f, err := os.Open(c.Path)
		if err != nil {
			return err
		}
		defer f.Close()
		msg, err := parseMail(f, mail.Limits{})
		if err != nil {
			return fmt.Errorf("%s: %w", c.Path, err)
		}
		return out.print(c.Path, msg, svc)
	}
	sum, err := walkMail(ctx, []string{c.Path}, ingest.Options{}, func(src string, msg *mail.Message) error {
		return out.print(src, msg, svc)
	})
	if err != nil {
		return err
	}
	if n := skipped(sum); n > 0 {
		printSkips(os.Stderr, "misend: ", sum)
		return fmt.Errorf("%d of %d messages could not be read", n, n+sum.Messages)
	}
	if sum.Messages == 0 {
		return noMessages("check", []string{c.Path}, sum)
	}
	return nil
}

// noMessages is the error of a command that found no mail to work on: an
// empty directory, or only files that are no mail, is a mistake in the
// path far more often than a wish to do nothing.
func noMessages(cmd string, paths []string, sum ingest.Summary) error {
	return fmt.Errorf("%s: no messages in %s (%d files looked at, none of them mail: mbox, Maildir, .eml or message-trace CSV)",
		cmd, strings.Join(paths, ", "), sum.Files)
}

// looksLikeMailbox tells an mbox or CSV export (many messages, read by
// ingest) from a single message file.
func looksLikeMailbox(path string) bool {
	if strings.HasSuffix(strings.ToLower(path), ".csv") || strings.HasSuffix(strings.ToLower(path), ".mbox") {
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 5)
	n, _ := io.ReadFull(f, head)
	return string(head[:n]) == "From "
}

// checkHeapFloor is the soft heap limit check keeps to while it loads the
// model (package memlimit).
const checkHeapFloor = 100 << 20

// checkService builds the decision path from the database (check.Load)
// with the policy in force: the one saved in the web UI, else the one from
// --config: the path the gateway, the milter and the
// HTTP API decide through.
func checkService(ctx context.Context, g *Globals) (*decide.Path, error) {
	db, err := store.Open(ctx, g.DB)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	pol, err := loadPolicy(g.Config)
	if err != nil {
		return nil, err
	}
	// A policy saved in the web UI decides here as it does while serving.
	if _, err := openPolicies(ctx, db, pol, pol.Current().Clone(), nil); err != nil {
		return nil, err
	}
	key, err := g.topicKey(nil) // an unkeyed model was warned of when it learned
	if err != nil {
		return nil, err
	}
	l, err := check.Load(ctx, db, check.LoadOptions{OrgDomains: g.OrgDomain, Policy: pol, TopicKey: key})
	if err != nil {
		return nil, err
	}
	// One message at a time with nobody waiting on an SMTP answer: the
	// deadline only guards against a stuck check.
	l.Path.Timeout = time.Minute
	return l.Path, nil
}

// loadPolicy reads the [policy] section of the TOML configuration; no file
// means the default policy.
func loadPolicy(path string) (*policy.Policy, error) {
	if path == "" {
		return policy.New(policy.DefaultConfig())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var file struct {
		Policy *policy.Config `toml:"policy"`
	}
	if err := toml.Unmarshal(b, &file); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if file.Policy == nil {
		return policy.New(policy.DefaultConfig())
	}
	p, err := policy.New(*file.Policy)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

type checkPrinter struct {
	w        io.Writer
	json     bool
	operator bool
	lang     string // of the findings' sentences; "" is English
}

// print decides on msg as if sent at its Date, from its From to its
// recipients, as the gateway would with that envelope, and prints the
// outcome.
func (p checkPrinter) print(src string, msg *mail.Message, path *decide.Path) error {
	env := decide.Envelope{From: msg.From.Addr, At: msg.Date}
	res := path.DecideMessage(context.Background(), env, msg)
	if res.Err != nil {
		return fmt.Errorf("%s: could not be checked: %w", src, res.Err)
	}
	out := res.Outcome()
	out.File = src
	if !p.operator {
		out.Findings = finding.SenderView(out.Findings)
	}
	out.Findings = finding.LocalizeAll(out.Findings, p.lang)
	if p.json {
		b, err := json.Marshal(out)
		if err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		_, err = fmt.Fprintf(p.w, "%s\n", b)
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s (score %.2f) from %s", src, out.Verdict, out.Score, orUnknown(out.Sender))
	if out.Exempt {
		// Said, so that a pass with findings is not taken for a fault.
		if p.lang == "ja" {
			fmt.Fprintf(&b, " — 確認対象外の送信者（ルールによる判定: %s）", res.Decision.Decided)
		} else {
			fmt.Fprintf(&b, " — exempt sender (the rules said %s)", res.Decision.Decided)
		}
	}
	b.WriteByte('\n')
	for _, f := range out.Findings {
		fmt.Fprintf(&b, "  %-7s %s", f.Severity, f.Code)
		if f.Recipient != "" {
			fmt.Fprintf(&b, " %s", f.Recipient)
		}
		fmt.Fprintf(&b, ": %s", f.Message)
		switch {
		case strings.Contains(f.Suggestion, "@") && !strings.Contains(f.Suggestion, " ") && p.lang == "ja":
			fmt.Fprintf(&b, " — %s の間違いではありませんか？", f.Suggestion)
		case strings.Contains(f.Suggestion, "@") && !strings.Contains(f.Suggestion, " "):
			fmt.Fprintf(&b, " — did you mean %s?", f.Suggestion)
		case f.Suggestion != "":
			fmt.Fprintf(&b, " — %s", f.Suggestion)
		}
		if p.operator && len(f.Terms) > 0 {
			fmt.Fprintf(&b, " [terms: %s]", strings.Join(f.Terms, ", "))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(p.w, b.String())
	return err
}

func orUnknown(s string) string {
	if s == "" {
		return "(no sender)"
	}
	return s
}
