-- Reminders by e-mail: the address a company is written to about its missing statements.
ALTER TABLE companies ADD COLUMN contact_email TEXT;

-- Each reminder: to which company and address, which lots and months (the lines of the
-- message, and their fingerprint, which tells the same items apart from new ones), and where
-- it stands: to_send (no relay set up), sending (claimed by a run), sent, failed (with the
-- relay's answer), replaced (not sent, and newer items came).
CREATE TABLE reminders (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    recipient TEXT NOT NULL,
    items TEXT NOT NULL,
    fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
    state TEXT NOT NULL
        CHECK (state IN ('to_send', 'sending', 'sent', 'failed', 'replaced')),
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at TIMESTAMP NOT NULL,
    claimed_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    created_by TEXT NOT NULL
);
CREATE INDEX ix_reminders_company ON reminders (company_id, fingerprint, claimed_at);
CREATE INDEX ix_reminders_claimed ON reminders (claimed_at);
