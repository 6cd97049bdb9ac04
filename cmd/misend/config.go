package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/misend/misend/internal/config"
)

type configCmd struct {
	Check configCheckCmd `cmd:"" help:"Say what is missing or unsafe in the configuration, before serve starts."`
}

type configCheckCmd struct {
	Lang string `help:"Language of the answers: en or ja." enum:"en,ja" default:"en"`
	JSON bool   `help:"One JSON object per finding: severity, key, code, detail, text."`
}

// Run exits non-zero when misend would not start, or would run unsafely
// (an error); warnings alone leave the status zero.
func (c *configCheckCmd) Run(g *Globals) error {
	path := g.Config
	if path == "" {
		path = defaultConfigPath
	}
	advice := reviewConfig(path)
	if err := printAdvice(os.Stdout, advice, c.Lang, c.JSON); err != nil {
		return err
	}
	if n := config.Errors(advice); n > 0 {
		return fmt.Errorf("config check: %s: %d error(s)", path, n)
	}
	return nil
}

// reviewConfig reads the file at path and reviews it; a file that does
// not read is one error.
func reviewConfig(path string) []config.Advice {
	cfg, err := config.Load(path)
	var unknown config.UnknownKeysError
	switch {
	case errors.As(err, &unknown):
		var out []config.Advice
		for _, k := range unknown {
			out = append(out, config.Advice{Severity: config.Error, Code: "unknown_key", Detail: k})
		}
		return out
	case err != nil:
		return []config.Advice{{Severity: config.Error, Code: "unreadable", Detail: err.Error()}}
	}
	return config.Review(cfg, config.Machine)
}

func printAdvice(w io.Writer, advice []config.Advice, lang string, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, a := range advice {
			if err := enc.Encode(struct {
				config.Advice
				Text string `json:"text"`
			}{a, a.Text(lang)}); err != nil {
				return err
			}
		}
		return nil
	}
	label := map[config.Severity][2]string{config.Error: {"error", "エラー"}, config.Warning: {"warning", "警告"}}
	i := 0
	if lang == "ja" {
		i = 1
	}
	for _, a := range advice {
		key := ""
		if a.Key != "" {
			key = a.Key + ": "
		}
		if _, err := fmt.Fprintf(w, "%s: %s%s\n", label[a.Severity][i], key, a.Text(lang)); err != nil {
			return err
		}
	}
	errs := config.Errors(advice)
	summary := [2]string{
		fmt.Sprintf("%d error(s), %d warning(s)", errs, len(advice)-errs),
		fmt.Sprintf("エラー %d 件、警告 %d 件", errs, len(advice)-errs),
	}
	if len(advice) == 0 {
		summary = [2]string{"no problems found", "問題は見つかりませんでした"}
	}
	_, err := fmt.Fprintln(w, summary[i])
	return err
}

// fromConfig lets --config give every command the database and the
// organisation's domains, when --db and --org-domain are not given: an
// administrator names the file once, as the service does. init writes the
// file and config check reports on it, so neither reads it here.
func (g *Globals) fromConfig(command string) error {
	if g.Config == "" || strings.HasPrefix(command, "init") || strings.HasPrefix(command, "config") {
		return nil
	}
	cfg, err := config.Load(g.Config)
	if err != nil {
		return err
	}
	if g.DB == defaultDB && cfg.DB != "" {
		g.DB = cfg.DB
	}
	if len(g.OrgDomain) == 0 {
		g.OrgDomain = cfg.OrgDomains
	}
	if g.TopicKeyFile == "" {
		g.TopicKeyFile = cfg.Model.TopicKeyFile
	}
	return nil
}
