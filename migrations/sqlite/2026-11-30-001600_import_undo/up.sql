-- Undoing an hours import. Each value an import replaces is kept here, as it was before, so
-- that undoing the import restores it exactly; a later import that replaces a value this one
-- wrote names it in previous_import_id, and stops its undoing until that one is undone.
CREATE TABLE replaced_hour_entries (
    id INTEGER PRIMARY KEY,
    import_id BIGINT NOT NULL REFERENCES imports (id),
    hour_entry_id BIGINT NOT NULL REFERENCES hour_entries (id) ON DELETE CASCADE,
    previous_import_id BIGINT REFERENCES imports (id),
    insertion_employer_id BIGINT REFERENCES companies (id),
    hours BIGINT NOT NULL CHECK (hours >= 0),
    employment_contract TEXT,
    review TEXT NOT NULL,
    review_reason TEXT,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (import_id, hour_entry_id)
);
CREATE INDEX ix_replaced_hour_entries_previous ON replaced_hour_entries (previous_import_id);
CREATE INDEX ix_replaced_hour_entries_entry ON replaced_hour_entries (hour_entry_id);

-- Whether the import kept the values it replaced (imports sent before this cannot be undone
-- exactly), and who undid it, when.
ALTER TABLE imports ADD COLUMN replaced_kept BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE imports ADD COLUMN undone_at TIMESTAMP;
ALTER TABLE imports ADD COLUMN undone_by TEXT;
