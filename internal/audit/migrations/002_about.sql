-- What the target is, for people: a held message's subject and sender,
-- kept with the entry because the spool forgets them once it is sent.
ALTER TABLE audit_log ADD COLUMN about TEXT NOT NULL DEFAULT '';
