-- How far each SIEM destination has been sent: the last decision and audit
-- entry id it took. The decisions and audit_log tables are the queue, so a
-- destination that is down loses nothing; it is sent the rest once back.
CREATE TABLE siem_cursor (
	sink      TEXT PRIMARY KEY,
	decisions BIGINT NOT NULL,
	audit     BIGINT NOT NULL
);
