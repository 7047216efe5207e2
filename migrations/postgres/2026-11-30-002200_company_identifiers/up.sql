-- Companies identified without a SIRET: the DECP names some titulaires by an intra-community
-- VAT number or by an overseas or foreign register's identifier (its `typeIdentifiant`). Every
-- company keeps its identifier's kind and, in `identifier`, its key: the SIRET alone, or the
-- kind's code, a colon and the identifier as published (TVA:FR64443061841), so that one
-- column names any company in lookups and addresses. Only SIRET companies have a SIRET.
ALTER TABLE companies ADD COLUMN identifier_kind TEXT;
ALTER TABLE companies ADD COLUMN identifier TEXT;
UPDATE companies SET identifier_kind = 'SIRET', identifier = siret;
ALTER TABLE companies ALTER COLUMN identifier_kind SET NOT NULL;
ALTER TABLE companies ALTER COLUMN identifier SET NOT NULL;
ALTER TABLE companies ALTER COLUMN siret DROP NOT NULL;
ALTER TABLE companies ADD CONSTRAINT companies_identifier_kind_check
    CHECK (identifier_kind IN ('SIRET', 'TVA', 'TAHITI', 'RIDET', 'FRWF', 'IREP', 'HORS-UE'));
ALTER TABLE companies ADD CONSTRAINT companies_identifier_check CHECK (identifier <> '');
ALTER TABLE companies ADD CONSTRAINT companies_siret_identifier_check
    CHECK ((identifier_kind = 'SIRET' AND siret IS NOT NULL AND siret = identifier)
        OR (identifier_kind <> 'SIRET' AND siret IS NULL
            AND identifier LIKE identifier_kind || ':_%'));
CREATE UNIQUE INDEX ix_companies_identifier ON companies (identifier);
