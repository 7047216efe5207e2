-- When each account last signed in, for the administrators' list of accounts (which accounts
-- are unused, which never signed in). NULL: never.
ALTER TABLE users ADD COLUMN last_sign_in_at TIMESTAMP;
