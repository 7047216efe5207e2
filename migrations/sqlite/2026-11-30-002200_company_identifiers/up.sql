-- Companies identified without a SIRET: the DECP names some titulaires by an intra-community
-- VAT number or by an overseas or foreign register's identifier (its `typeIdentifiant`). Every
-- company keeps its identifier's kind and, in `identifier`, its key: the SIRET alone, or the
-- kind's code, a colon and the identifier as published (TVA:FR64443061841), so that one
-- column names any company in lookups and addresses. Only SIRET companies have a SIRET.
-- SQLite cannot make a column optional: the table is rebuilt, its rows keeping their ids, so
-- that awards, hours, work contracts and reminders still point at them (their foreign keys are
-- checked at commit, once the rows are back).
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE companies_before AS SELECT * FROM companies;
DROP TABLE companies;
CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
    siret TEXT UNIQUE CHECK (length(siret) = 14),
    name TEXT NOT NULL CHECK (name <> ''),
    structure_kind TEXT NOT NULL DEFAULT 'company',
    size_class TEXT,
    postal_code TEXT,
    commune TEXT,
    departement TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    contact_email TEXT,
    identifier_kind TEXT NOT NULL
        CHECK (identifier_kind IN ('SIRET', 'TVA', 'TAHITI', 'RIDET', 'FRWF', 'IREP', 'HORS-UE')),
    identifier TEXT NOT NULL CHECK (identifier <> ''),
    CHECK ((identifier_kind = 'SIRET' AND siret IS NOT NULL AND siret = identifier)
        OR (identifier_kind <> 'SIRET' AND siret IS NULL
            AND identifier LIKE identifier_kind || ':_%'))
);
INSERT INTO companies (id, siret, name, structure_kind, size_class, postal_code, commune,
    departement, created_at, updated_at, contact_email, identifier_kind, identifier)
SELECT id, siret, name, structure_kind, size_class, postal_code, commune, departement,
    created_at, updated_at, contact_email, 'SIRET', siret
FROM companies_before;
DROP TABLE companies_before;
CREATE INDEX ix_companies_departement ON companies (departement);
CREATE INDEX ix_companies_structure_kind ON companies (structure_kind);
CREATE UNIQUE INDEX ix_companies_identifier ON companies (identifier);
