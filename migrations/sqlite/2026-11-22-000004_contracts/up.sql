-- Contracts (marchés) of a buyer, identified by the buyer's own reference (DECP id).
CREATE TABLE contracts (
    id INTEGER PRIMARY KEY,
    buyer_id BIGINT NOT NULL REFERENCES buyers (id),
    reference TEXT NOT NULL CHECK (length(reference) BETWEEN 1 AND 16),
    object TEXT NOT NULL CHECK (object <> ''),
    nature TEXT NOT NULL DEFAULT 'contract',
    procedure TEXT,
    cpv_code TEXT CHECK (cpv_code IS NULL OR length(cpv_code) = 8),
    ccag TEXT,
    notification_date DATE NOT NULL,
    duration_months INTEGER CHECK (duration_months IS NULL OR duration_months > 0),
    end_date DATE,
    social_criterion BOOLEAN NOT NULL DEFAULT FALSE,
    source_import_id BIGINT REFERENCES imports (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (buyer_id, reference)
);
CREATE INDEX ix_contracts_notification_date ON contracts (notification_date);

-- Lots; number 0 is the single lot of a contract without lots.
CREATE TABLE lots (
    id INTEGER PRIMARY KEY,
    contract_id BIGINT NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    number INTEGER NOT NULL CHECK (number >= 0),
    title TEXT,
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    reservation TEXT NOT NULL DEFAULT 'none',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (contract_id, number)
);

-- Who holds a lot: titulaire, co-traitants (amount = their share), declared sous-traitants.
CREATE TABLE awards (
    id INTEGER PRIMARY KEY,
    lot_id BIGINT NOT NULL REFERENCES lots (id) ON DELETE CASCADE,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    role TEXT NOT NULL DEFAULT 'holder',
    amount_cents BIGINT CHECK (amount_cents IS NULL OR amount_cents >= 0),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (lot_id, company_id, role)
);
CREATE INDEX ix_awards_company ON awards (company_id);

-- The insertion clause of a lot: its target and every parameter it was calibrated with, so the
-- figure can be explained later. Hours in hundredths, rates in basis points, money in cents.
CREATE TABLE insertion_clauses (
    id INTEGER PRIMARY KEY,
    lot_id BIGINT NOT NULL UNIQUE REFERENCES lots (id) ON DELETE CASCADE,
    target_hours BIGINT NOT NULL CHECK (target_hours >= 0),
    target_source TEXT NOT NULL CHECK (target_source IN ('calibrated', 'typed')),
    base_amount_cents BIGINT CHECK (base_amount_cents IS NULL OR base_amount_cents >= 0),
    labour_share_bp INTEGER CHECK (labour_share_bp IS NULL OR labour_share_bp BETWEEN 0 AND 10000),
    insertion_rate_bp INTEGER CHECK (insertion_rate_bp IS NULL OR insertion_rate_bp BETWEEN 0 AND 10000),
    hourly_cost_cents BIGINT CHECK (hourly_cost_cents IS NULL OR hourly_cost_cents > 0),
    penalty_per_hour_cents BIGINT CHECK (penalty_per_hour_cents IS NULL OR penalty_per_hour_cents >= 0),
    training_counts BOOLEAN NOT NULL DEFAULT FALSE,
    cap_hours_per_participant BIGINT CHECK (cap_hours_per_participant IS NULL OR cap_hours_per_participant > 0),
    qpv_share_bp INTEGER CHECK (qpv_share_bp IS NULL OR qpv_share_bp BETWEEN 0 AND 10000),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (target_source = 'typed' OR (base_amount_cents IS NOT NULL AND labour_share_bp IS NOT NULL
        AND insertion_rate_bp IS NOT NULL AND hourly_cost_cents IS NOT NULL))
);
