-- The refused file's rows with an "Erreurs" column and the faulty cells highlighted, kept with
-- the import so that any instance can serve it for download.
ALTER TABLE imports ADD COLUMN error_workbook BLOB;
