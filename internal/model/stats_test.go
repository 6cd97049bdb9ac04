package model

import "testing"

// Stats.Sent counts the organisation's people who sent mail, not everyone
// the model keeps state for (insiders who only received) nor addresses
// seen.
func TestStatsSentCountsSendersOnly(t *testing.T) {
	m := New(Config{OrgDomains: []string{"corp.example"}})
	m.Learn(msg("1@corp.example", t0, "a@corp.example", "b@corp.example", "c@corp.example", "x@out.example"))
	m.Learn(msg("2@corp.example", t0, "a@corp.example", "b@corp.example"))
	m.Learn(msg("3@out.example", t0, "y@out.example", "a@corp.example"))
	s := m.Stats()
	if s.Sent != 1 {
		t.Errorf("Sent = %d, want 1 (only a@ sent from the organisation)", s.Sent)
	}
	if s.Senders < 3 || s.Addresses < 5 {
		t.Errorf("Senders %d Addresses %d: the older counts changed meaning", s.Senders, s.Addresses)
	}
}
