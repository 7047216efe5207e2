DROP TABLE reminders;
ALTER TABLE companies DROP COLUMN contact_email;
