-- The same answer given twice (a page reloaded, a hook called again) is
-- one answer.
CREATE UNIQUE INDEX feedback_once ON feedback (kind, queue_id, message_id, sender, recipient);
