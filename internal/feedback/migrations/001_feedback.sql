-- One row per human answer to a flagged message: a sender confirming or
-- dropping a flagged recipient, cancelling, reporting a warning as wrong, an
-- approver releasing or rejecting. No bodies, no subjects, no comments.
CREATE TABLE feedback (
	id         INTEGER PRIMARY KEY,
	at         INTEGER NOT NULL, -- unix milliseconds
	kind       TEXT NOT NULL,    -- confirmed, reported, released, dropped, cancelled, rejected
	message_id TEXT NOT NULL,
	queue_id   TEXT NOT NULL,    -- misend queue entry, when the message waited there
	sender     TEXT NOT NULL,
	department TEXT NOT NULL,
	recipient  TEXT NOT NULL,    -- the flagged recipient concerned; empty for the whole message
	by_whom    TEXT NOT NULL,    -- who answered
	codes      TEXT NOT NULL     -- space-separated finding codes the message was flagged with
);
CREATE INDEX feedback_at ON feedback (at);
CREATE INDEX feedback_queue ON feedback (queue_id);
CREATE INDEX feedback_message ON feedback (sender, message_id);
