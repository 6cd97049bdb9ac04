package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/misend/misend/internal/version"
)

type versionCmd struct {
	JSON bool `help:"One JSON object: module, version, commit, commit_time, modified, build_date, go, platform."`
}

func (c *versionCmd) Run(*Globals) error {
	in := version.Read()
	if c.JSON {
		return json.NewEncoder(os.Stdout).Encode(in)
	}
	_, err := fmt.Println(in)
	return err
}
