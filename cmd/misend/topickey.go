package main

import (
	"fmt"
	"strings"

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
	key, err := model.LoadTopicKey(path, create)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return key, nil
}
