package main

import "errors"

type synthCmd struct{}

func (c *synthCmd) Run(g *Globals) error { return errors.New("synth: not implemented yet") }
