-- Buyers (acheteurs), their territory, and the establishments they contract with.
CREATE TABLE buyers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    siret TEXT NOT NULL UNIQUE CHECK (length(siret) = 14),
    name TEXT NOT NULL CHECK (name <> ''),
    created_at TIMESTAMP NOT NULL
);

-- The départements a buyer counts as local, for the local-firm share of its charter.
CREATE TABLE buyer_departements (
    buyer_id BIGINT NOT NULL REFERENCES buyers (id) ON DELETE CASCADE,
    departement TEXT NOT NULL,
    PRIMARY KEY (buyer_id, departement)
);

-- Companies and insertion employers (SIAE, GEIQ, EA, ESAT), one row per establishment.
CREATE TABLE companies (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    siret TEXT NOT NULL UNIQUE CHECK (length(siret) = 14),
    name TEXT NOT NULL CHECK (name <> ''),
    structure_kind TEXT NOT NULL DEFAULT 'company',
    size_class TEXT,
    postal_code TEXT,
    commune TEXT,
    departement TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX ix_companies_departement ON companies (departement);
CREATE INDEX ix_companies_structure_kind ON companies (structure_kind);
