-- A person's deputy approver (代理承認者), to whom held mail they do not
-- decide in time is passed on, and their own time zone (an IANA name) for
-- the times pages and notices show them; '' when the directory says none.
ALTER TABLE directory_people ADD COLUMN deputy TEXT NOT NULL DEFAULT '';
ALTER TABLE directory_people ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
