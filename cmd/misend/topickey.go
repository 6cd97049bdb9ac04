package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/misend/misend/internal/keyfile"
	"github.com/misend/misend/internal/model"
)

// topicKeyFile names the key the model hashes subjects with for the
// database g names (model.TopicKeyPath), and whether misend may make it.
func (g *Globals) topicKeyFile() (path string, create bool) {
	return model.TopicKeyPath(g.DB, g.TopicKeyFile)
}

// topicKey reads (or makes) the key topicKeyFile names; nil when there is
// none, after saying so on warn unless it is nil.
func (g *Globals) topicKey(warn func(string)) ([]byte, error) {
	path, create := g.topicKeyFile()
	if path == "" {
		if warn != nil && strings.Contains(g.DB, "://") {
			warn("no [model] topic_key_file for a PostgreSQL database: subjects that thread mail are hashed without a key (see misend config check)")
		}
		return nil, nil
	}
	// A key others may read is refused: with it, the subject hashes in
	// the database can be tested against guesses.
	key, err := keyfile.Load(path, keyfile.Exact32, create)
	if errors.Is(err, fs.ErrNotExist) && !create {
		// Only on a shared database, where a key made here would not be
		// the other hosts'.
		return nil, fmt.Errorf("topic key %s: %w; make it once and give every replica a copy", path, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("topic key: %w", err)
	}
	return key, nil
}
