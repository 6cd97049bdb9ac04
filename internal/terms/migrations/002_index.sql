-- Opt-in term index for recommendation from imported history (misend
-- import --index-terms). Per message only what the recommendation model
-- reads: its candidate terms (nouns and words of the sender's own text, as
-- ids into terms_index_words), the sender's address (to tell which
-- department's or group's mail it is) and the day it was sent. Never a
-- subject, a body, a recipient or an attachment.
CREATE TABLE terms_index_words (
	id     INTEGER PRIMARY KEY,
	word   TEXT NOT NULL UNIQUE,
	person INTEGER NOT NULL DEFAULT 0 -- seen as (part of) a person name
);

CREATE TABLE terms_index_docs (
	msg_key INTEGER PRIMARY KEY, -- model.MessageKey: the same message is indexed once
	sender  TEXT NOT NULL,
	day     TEXT NOT NULL,       -- YYYY-MM-DD in UTC, '' when the message had no date
	words   BLOB NOT NULL        -- sorted word ids, delta-encoded uvarints
);
CREATE INDEX terms_index_docs_day ON terms_index_docs (day);
