-- A lot's clause closed at the end of its execution: the figures it was closed on, frozen
-- (hours in hundredths, money in cents). While a closure stands (reopened_at IS NULL), no
-- write may touch the lot's hours or the clause's target. A reopened closure stays, with who
-- reopened it and why; the lot may then be closed again.
CREATE TABLE clause_closures (
    id INTEGER PRIMARY KEY,
    lot_id BIGINT NOT NULL REFERENCES lots (id) ON DELETE CASCADE,
    closed_at TIMESTAMP NOT NULL,
    -- The account that closed it; NULL from the command line (closed_by_label says who).
    closed_by BIGINT REFERENCES users (id),
    closed_by_label TEXT NOT NULL,
    -- Validated hours counted toward the target, and the target, when closed.
    counted_hours BIGINT NOT NULL CHECK (counted_hours >= 0),
    target_hours BIGINT NOT NULL CHECK (target_hours >= 0),
    reached BOOLEAN NOT NULL,
    missing_hours BIGINT NOT NULL CHECK (missing_hours >= 0),
    -- The clause's own penalty per hour, and the one applied (lower when waived or reduced);
    -- both NULL when the clause provides no penalty.
    clause_penalty_per_hour_cents BIGINT CHECK (clause_penalty_per_hour_cents IS NULL OR clause_penalty_per_hour_cents >= 0),
    penalty_per_hour_cents BIGINT CHECK (penalty_per_hour_cents IS NULL OR penalty_per_hour_cents >= 0),
    penalty_cents BIGINT CHECK (penalty_cents IS NULL OR penalty_cents >= 0),
    penalty_change TEXT CHECK (penalty_change IS NULL OR penalty_change IN ('waived', 'reduced')),
    penalty_reason TEXT,
    -- Why it was closed before the end of the lot's execution (NULL when closed after it).
    early_reason TEXT,
    signatory_name TEXT NOT NULL CHECK (signatory_name <> ''),
    signatory_role TEXT NOT NULL CHECK (signatory_role <> ''),
    reopened_at TIMESTAMP,
    reopened_by_label TEXT,
    reopen_reason TEXT,
    CHECK ((penalty_change IS NULL) = (penalty_reason IS NULL)),
    CHECK ((reopened_at IS NULL) = (reopen_reason IS NULL))
);
-- One standing closure per lot.
CREATE UNIQUE INDEX ux_clause_closures_standing ON clause_closures (lot_id) WHERE reopened_at IS NULL;
