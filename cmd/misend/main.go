// Command misend stops misdirected email before it leaves an organisation.
//
// This package only wires flags to the internal packages; see the README.
package main

import (
	"fmt"
	"os"

	"github.com/alecthomas/kong"
)

// Globals are the flags every subcommand takes, written after it
// (`misend import --db x.db --org-domain corp.example DIR`).
type Globals struct {
	DB        string   `help:"SQLite path or postgres:// URL." default:"./misend.db" type:"string"`
	Config    string   `help:"TOML configuration file." type:"path"`
	OrgDomain []string `help:"The organisation's own domains (repeatable)." name:"org-domain"`
	// TopicKeyFile is read by every command that learns or checks on the
	// database: they must all hash subjects with one key.
	TopicKeyFile string `help:"Key file the subject hashes are keyed with ([model] topic_key_file; default on SQLite: DB.topic.key, made on first use)." name:"topic-key-file" type:"path"`
}

type cli struct {
	Globals

	Init      initCmd      `cmd:"" help:"Write a commented configuration for the organisation and create the first administrator."`
	ConfigCmd configCmd    `cmd:"" name:"config" help:"Check the configuration file."`
	Serve     serveCmd     `cmd:"" help:"Run the SMTP gateway, milter, web UI/API and /metrics."`
	Import    importCmd    `cmd:"" help:"Learn from mail history: mbox, Maildir, .eml, Exchange message-trace CSV."`
	Check     checkCmd     `cmd:"" help:"Score messages without learning from them."`
	Eval      evalCmd      `cmd:"" help:"Replay a corpus, inject misdirected recipients, report detection vs. false alarms."`
	Refit     refitCmd     `cmd:"" help:"Fit the weights again on the imported history and what people answered while serving."`
	Terms     termsCmd     `cmd:"" help:"Confidential terms per scope, recommendations and change requests."`
	Directory directoryCmd `cmd:"" help:"People, departments, groups and roles."`
	Demo      demoCmd      `cmd:"" help:"Make a synthetic organisation, learn it, and show misend at work."`
	Synth     synthCmd     `cmd:"" help:"Write a synthetic organisation's mail history and directory."`
	Token     tokenCmd     `cmd:"" help:"API bearer tokens: create, revoke, list."`
	User      userCmd      `cmd:"" help:"Local web accounts: add, passwd, roles, disable, enable, list."`
	SMTPUser  smtpUserCmd  `cmd:"" name:"smtp-user" help:"Users of the gateway's SMTP AUTH file: add, hash."`
	Addin     addinCmd     `cmd:"" help:"Mail-client add-ins: write the Outlook add-in's manifests, build the Thunderbird add-in."`
	Prune     pruneCmd     `cmd:"" help:"Delete decisions, audit entries and term index older than the retention ([retention] or flags)."`
	Backup    backupCmd    `cmd:"" help:"Copy the live SQLite database to a file (PostgreSQL: use pg_dump)."`
	Restore   restoreCmd   `cmd:"" help:"Put a backup in place of the SQLite database (misend stopped)."`
	Version   versionCmd   `cmd:"" help:"Print the version, commit and build date of this misend."`
}

func main() {
	var c cli
	ctx := kong.Parse(&c,
		kong.Name("misend"),
		kong.Description("misend stops misdirected email before it leaves."),
		kong.UsageOnError(),
	)
	if err := c.Globals.fromConfig(ctx.Command()); err != nil {
		fmt.Fprintln(os.Stderr, "misend:", err)
		os.Exit(1)
	}
	if err := ctx.Run(&c.Globals); err != nil {
		fmt.Fprintln(os.Stderr, "misend:", err)
		os.Exit(1)
	}
}
