-- Back to companies with a SIRET only: those without one are refused rather than dropped
-- with their awards (the NOT NULL below fails while any remains). The table is written as the
-- earlier migrations left it, contact_email included as ALTER TABLE had added it.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE companies_before AS SELECT * FROM companies;
DROP TABLE companies;
CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
    siret TEXT NOT NULL UNIQUE CHECK (length(siret) = 14),
    name TEXT NOT NULL CHECK (name <> ''),
    structure_kind TEXT NOT NULL DEFAULT 'company',
    size_class TEXT,
    postal_code TEXT,
    commune TEXT,
    departement TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
, contact_email TEXT);
INSERT INTO companies (id, siret, name, structure_kind, size_class, postal_code, commune,
    departement, created_at, updated_at, contact_email)
SELECT id, siret, name, structure_kind, size_class, postal_code, commune, departement,
    created_at, updated_at, contact_email
FROM companies_before;
DROP TABLE companies_before;
CREATE INDEX ix_companies_departement ON companies (departement);
CREATE INDEX ix_companies_structure_kind ON companies (structure_kind);
