DROP TABLE audit_log;
DROP TABLE user_buyers;
DROP TABLE users;
