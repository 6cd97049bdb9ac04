package model

// interner maps strings to dense integer ids so the model's maps are keyed by
// 4-byte ids instead of strings: an address is stored once however many
// senders know it.
type interner struct {
	ids map[string]uint32
	str []string
}

func (in *interner) init() { in.ids = map[string]uint32{} }

func (in *interner) id(s string) (uint32, bool) {
	if id, ok := in.ids[s]; ok {
		return id, false
	}
	// Clone so the model does not pin a whole parsed message via a substring.
	s = string([]byte(s))
	id := uint32(len(in.str))
	in.ids[s] = id
	in.str = append(in.str, s)
	return id, true
}

func (in *interner) lookup(s string) (uint32, bool) {
	id, ok := in.ids[s]
	return id, ok
}
