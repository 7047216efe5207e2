-- Statements are reviewed before they count: hours arrive declared, then a facilitateur
-- validates or rejects them (with a reason, which the company reads). Hours stored before
-- this were already counted: they are validated.
ALTER TABLE hour_entries ADD COLUMN review TEXT NOT NULL DEFAULT 'validated'
    CHECK (review IN ('declared', 'validated', 'rejected'));
ALTER TABLE hour_entries ADD COLUMN review_reason TEXT;
CREATE INDEX ix_hour_entries_review ON hour_entries (review, lot_id, month);

-- Whether a facilitateur's (or an administrator's) own hour statements on this buyer's lots are
-- validated as they are imported.
ALTER TABLE buyers ADD COLUMN reviewers_imports_validated BOOLEAN NOT NULL DEFAULT TRUE;
