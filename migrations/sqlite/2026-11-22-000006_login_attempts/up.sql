-- Failed logins, kept for the throttling window only, shared by every instance of the service.
-- `subject` is "account:<e-mail>" or "address:<client IP>".
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX ix_login_failures_subject ON login_failures (subject, occurred_at);
