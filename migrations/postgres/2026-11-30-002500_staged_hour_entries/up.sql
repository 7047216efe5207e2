-- Hour entries of an import still being written: a large statement is written here in chunks,
-- each committed on its own, then moved into hour_entries in one short transaction. Nothing
-- reads them but that move; those of an import that failed or was cut off are deleted.
-- No foreign key and one index: they are written in bulk and read once, by import. Unlogged:
-- no WAL for rows that a crash makes worthless anyway (the server empties the table then).
CREATE UNLOGGED TABLE staged_hour_entries (
    import_id BIGINT NOT NULL,
    row_number INTEGER NOT NULL,
    lot_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    participant_id BIGINT NOT NULL,
    month INTEGER NOT NULL,
    modality TEXT NOT NULL,
    insertion_employer_id BIGINT,
    hours BIGINT NOT NULL,
    employment_contract TEXT,
    review TEXT NOT NULL
);
CREATE INDEX ix_staged_hour_entries_import ON staged_hour_entries (import_id);
