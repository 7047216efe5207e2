ALTER TABLE participants DROP COLUMN six_month_source;
ALTER TABLE participants DROP COLUMN six_month_on;
ALTER TABLE participants DROP COLUMN six_month_situation;
