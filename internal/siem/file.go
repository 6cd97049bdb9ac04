package siem

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
)

// File appends events as JSON lines, for a collector agent (Splunk
// Universal Forwarder, the Azure Monitor agent, Filebeat, …) to tail. It
// opens the file for each batch, so a log rotation that moves it away is
// followed.
type File struct {
	Path string
}

// Name implements Sink.
func (f File) Name() string { return "file:" + f.Path }

// Send implements Sink; the batch is on disk when it returns.
func (f File) Send(_ context.Context, events []Event) error {
	out, err := os.OpenFile(f.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("siem file: %w", err)
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for _, e := range events {
		if err := enc.Encode(e); err != nil {
			out.Close()
			return fmt.Errorf("siem file %s: %w", f.Path, err)
		}
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("siem file %s: %w", f.Path, err)
	}
	return out.Close()
}

// Close implements Sink.
func (File) Close() error { return nil }
