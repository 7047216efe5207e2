ALTER TABLE imports DROP COLUMN undone_by;
ALTER TABLE imports DROP COLUMN undone_at;
ALTER TABLE imports DROP COLUMN replaced_kept;
DROP TABLE replaced_hour_entries;
