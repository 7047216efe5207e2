ALTER TABLE buyers DROP COLUMN reviewers_imports_validated;
DROP INDEX ix_hour_entries_review;
ALTER TABLE hour_entries DROP COLUMN review_reason;
ALTER TABLE hour_entries DROP COLUMN review;
