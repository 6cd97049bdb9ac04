package queue

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// msgMagic starts a message file: the metadata as accepted and the body in
// one file, so accepting a message costs one file fsync rather than two.
// Layout: msgMagic, the length of the (sealed) metadata as 4 bytes big
// endian, the sealed metadata, the sealed body. Metadata written later goes
// to meta/<id>.json, which then takes precedence.
var msgMagic = []byte("MSQM\x01")

func (q *Queue) path(elem ...string) string {
	return filepath.Join(append([]string{q.dir}, elem...)...)
}

func (q *Queue) msgPath(id ID) string     { return q.path("msg", string(id)+".msq") }
func (q *Queue) oldBodyPath(id ID) string { return q.path("msg", string(id)+".eml") }
func (q *Queue) metaPath(id ID) string    { return q.path("meta", string(id)+".json") }

// encodeMessage builds a message file for it and raw.
func (q *Queue) encodeMessage(it *Item, raw []byte) ([]byte, error) {
	mb, err := json.Marshal(it)
	if err != nil {
		return nil, fmt.Errorf("queue: encode metadata: %w", err)
	}
	if mb, err = q.seal("meta:"+string(it.ID), mb); err != nil {
		return nil, err
	}
	body, err := q.seal("msg:"+string(it.ID), raw)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(msgMagic)+4+len(mb)+len(body))
	out = append(out, msgMagic...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(mb)))
	out = append(out, mb...)
	return append(out, body...), nil
}

// splitMessage returns the sealed metadata and body parts of a message file.
func splitMessage(b []byte) (meta, body []byte, err error) {
	if !bytes.HasPrefix(b, msgMagic) || len(b) < len(msgMagic)+4 {
		return nil, nil, errors.New("not a message file")
	}
	b = b[len(msgMagic):]
	n := binary.BigEndian.Uint32(b)
	b = b[4:]
	if uint64(n) > uint64(len(b)) {
		return nil, nil, errors.New("message file is truncated")
	}
	return b[:n], b[n:], nil
}

// readMessageMeta reads only the metadata part of a message file.
func (q *Queue) readMessageMeta(id ID) (Item, error) {
	f, err := os.Open(q.msgPath(id))
	if err != nil {
		return Item{}, err
	}
	defer f.Close()
	hdr := make([]byte, len(msgMagic)+4)
	if _, err := io.ReadFull(f, hdr); err != nil || !bytes.HasPrefix(hdr, msgMagic) {
		return Item{}, fmt.Errorf("queue: %s is not a message file", id)
	}
	mb := make([]byte, binary.BigEndian.Uint32(hdr[len(msgMagic):]))
	if _, err := io.ReadFull(f, mb); err != nil {
		return Item{}, fmt.Errorf("queue: %s is truncated: %w", id, err)
	}
	return q.decodeMeta(id, mb)
}

func (q *Queue) decodeMeta(id ID, b []byte) (Item, error) {
	b, err := q.open("meta:"+string(id), b)
	if err != nil {
		return Item{}, err
	}
	var it Item
	if err := json.Unmarshal(b, &it); err != nil {
		return Item{}, fmt.Errorf("queue: decode metadata of %s: %w", id, err)
	}
	return it, nil
}

// readBody reads a message's body from its message file, or from a body
// file of the older layout (msg/<id>.eml).
func (q *Queue) readBody(id ID) ([]byte, error) {
	b, err := os.ReadFile(q.msgPath(id))
	if errors.Is(err, os.ErrNotExist) {
		b, err = os.ReadFile(q.oldBodyPath(id))
		if errors.Is(err, os.ErrNotExist) {
			return nil, ErrNotFound
		}
		if err != nil {
			return nil, fmt.Errorf("queue: read body: %w", err)
		}
		return q.open("msg:"+string(id), b)
	}
	if err != nil {
		return nil, fmt.Errorf("queue: read body: %w", err)
	}
	_, body, err := splitMessage(b)
	if err != nil {
		return nil, fmt.Errorf("queue: read body of %s: %w", id, err)
	}
	return q.open("msg:"+string(id), body)
}

// writeMeta replaces meta/<id>.json: written, fsynced and renamed into
// place, so a crash leaves the old or the new version, never a torn one.
// The rename is durable only after the meta directory is synced, which the
// caller arranges (at once, or through the group commit).
func (q *Queue) writeMeta(it *Item) error {
	b, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("queue: encode metadata: %w", err)
	}
	if b, err = q.seal("meta:"+string(it.ID), b); err != nil {
		return err
	}
	if err := q.writeFile(q.path("meta"), string(it.ID)+".json", b); err != nil {
		return fmt.Errorf("queue: store metadata: %w", err)
	}
	return nil
}

// writeMetaSync is writeMeta made durable before it returns.
func (q *Queue) writeMetaSync(it *Item) error {
	if err := q.writeMeta(it); err != nil {
		return err
	}
	if err := q.group.wait(syncMetaDir); err != nil {
		return fmt.Errorf("queue: store metadata: %w", err)
	}
	return nil
}

// writeFile writes data to a temporary file in dir, fsyncs it and renames
// it to name. It does not sync dir.
func (q *Queue) writeFile(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = q.syncFile(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
