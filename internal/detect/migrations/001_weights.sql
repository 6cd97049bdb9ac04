-- Fitted score weights (JSON of detect.Weights); one row, replaced by
-- `misend eval --save-weights`.
CREATE TABLE detect_weights (
	id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	weights TEXT NOT NULL
);
