-- Back to companies with a SIRET only: those without one are refused rather than dropped
-- with their awards (SET NOT NULL fails while any remains).
DROP INDEX ix_companies_identifier;
ALTER TABLE companies DROP CONSTRAINT companies_siret_identifier_check;
ALTER TABLE companies DROP CONSTRAINT companies_identifier_check;
ALTER TABLE companies DROP CONSTRAINT companies_identifier_kind_check;
ALTER TABLE companies ALTER COLUMN siret SET NOT NULL;
ALTER TABLE companies DROP COLUMN identifier;
ALTER TABLE companies DROP COLUMN identifier_kind;
