package main

import (
	"fmt"
	"strings"

	"github.com/misend/misend/internal/model"
)

// topicKeyFile names the key the model hashes subjects with for the
// database g names, and whether misend may make it: --topic-key-file (or
// [model] topic_key_file) if given, else on SQLite a file beside the
// database, which only processes on its host can open and so all find.
// On PostgreSQL there is no default: replicas on several hosts would each
// make a key of their own and not find each other's threads, so the path
// is "" and subjects are hashed unkeyed, which `misend config check` and
// serve's start warn of. A key given on PostgreSQL must exist already, for
// the same reason.
func (g *Globals) topicKeyFile() (path string, create bool) {
	shared := strings.Contains(g.DB, "://")
	if g.TopicKeyFile != "" {
		return g.TopicKeyFile, !shared
	}
	db := strings.TrimPrefix(g.DB, "file:")
	db, _, _ = strings.Cut(db, "?")
	if shared || db == "" || db == ":memory:" {
		return "", false // nothing beside it outlives the process
	}
	return db + ".topic.key", true
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
