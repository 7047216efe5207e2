-- Participants are pseudonymous: no name, no document, only what the indicators need.
CREATE TABLE participants (
    id INTEGER PRIMARY KEY,
    pseudonym TEXT NOT NULL UNIQUE CHECK (pseudonym <> ''),
    criterion TEXT NOT NULL,
    validated_on DATE,
    prescriber TEXT,
    birth_year INTEGER CHECK (birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100),
    sex TEXT,
    qpv_resident BOOLEAN,
    exit_outcome TEXT,
    exit_date DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Hours worked by one participant in one month on one lot, by one modality. A corrected
-- statement replaces the row with the same key instead of adding to it.
CREATE TABLE hour_entries (
    id INTEGER PRIMARY KEY,
    lot_id BIGINT NOT NULL REFERENCES lots (id),
    company_id BIGINT NOT NULL REFERENCES companies (id),
    participant_id BIGINT NOT NULL REFERENCES participants (id),
    month INTEGER NOT NULL CHECK (month BETWEEN 199001 AND 219912 AND month % 100 BETWEEN 1 AND 12),
    modality TEXT NOT NULL,
    insertion_employer_id BIGINT REFERENCES companies (id),
    hours BIGINT NOT NULL CHECK (hours >= 0),
    employment_contract TEXT,
    import_id BIGINT REFERENCES imports (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (lot_id, company_id, participant_id, month, modality)
);
CREATE INDEX ix_hour_entries_month ON hour_entries (month);
CREATE INDEX ix_hour_entries_company_month ON hour_entries (company_id, month);
CREATE INDEX ix_hour_entries_participant ON hour_entries (participant_id);
CREATE INDEX ix_hour_entries_insertion_employer ON hour_entries (insertion_employer_id);
CREATE INDEX ix_hour_entries_import ON hour_entries (import_id);
