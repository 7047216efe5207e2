-- Who last set a clause in the pages or the API (as the audit log names them), shown beside
-- its parameters with the date of the change. NULL: set by an import of the register.
ALTER TABLE insertion_clauses ADD COLUMN set_by TEXT;
