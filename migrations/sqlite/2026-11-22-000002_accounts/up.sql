-- People who use the service. Passwords as argon2id hashes only; token_version invalidates
-- issued tokens on password change or deactivation.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE CHECK (email <> ''),
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    all_buyers BOOLEAN NOT NULL DEFAULT FALSE,
    company_siret TEXT CHECK (company_siret IS NULL OR length(company_siret) = 14),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    token_version INTEGER NOT NULL DEFAULT 0,
    password_changed_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The buyers an account is scoped to, when it does not see them all.
CREATE TABLE user_buyers (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    buyer_id BIGINT NOT NULL REFERENCES buyers (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, buyer_id)
);
CREATE INDEX ix_user_buyers_buyer ON user_buyers (buyer_id);

-- Who did what and when. No foreign key on the actor: the trail outlives deleted accounts.
-- Never holds passwords, tokens or participant data.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor_user_id BIGINT,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    details TEXT,
    client_ip TEXT
);
CREATE INDEX ix_audit_log_occurred_at ON audit_log (occurred_at);
