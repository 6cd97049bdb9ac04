-- How far into the shared journal of learning (package journal) the saved
-- snapshot reaches: a replica loading it applies the entries after.
CREATE TABLE model_position (
	id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	journal BIGINT NOT NULL
);
