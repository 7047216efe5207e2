-- The hour entries summed by lot, declaring company, insertion structure, modality, month and
-- review state: what the sums of hours read instead of every entry. Derived data, kept by
-- each write in the transaction that changes the entries (storage::rollups), recomputed and
-- compared by `suivi-clauses verify`. Hours in hundredths, as in hour_entries.
-- No foreign keys: the entries already hold them, and a lot or company cannot go while it
-- has entries. insertion_employer_id is 0 for hours without an insertion structure (ids start
-- at 1): a NULL would make every such group a key of its own, both backends treating NULLs
-- as distinct in a primary key or a conflict target.
CREATE TABLE hour_rollups (
    lot_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    insertion_employer_id BIGINT NOT NULL,
    modality TEXT NOT NULL,
    month INTEGER NOT NULL,
    review TEXT NOT NULL,
    hours BIGINT NOT NULL,
    entries BIGINT NOT NULL,
    PRIMARY KEY (lot_id, company_id, insertion_employer_id, modality, month, review)
);
CREATE INDEX ix_hour_rollups_review_month ON hour_rollups (review, month);
-- The groups whose last entry went, found without reading the others.
CREATE INDEX ix_hour_rollups_emptied ON hour_rollups (lot_id) WHERE entries = 0;

INSERT INTO hour_rollups
    (lot_id, company_id, insertion_employer_id, modality, month, review, hours, entries)
SELECT lot_id, company_id, COALESCE(insertion_employer_id, 0), modality, month, review,
       CAST(SUM(hours) AS BIGINT), COUNT(*)
FROM hour_entries
GROUP BY lot_id, company_id, COALESCE(insertion_employer_id, 0), modality, month, review;
