-- Failed attempts per action and address, shared by every instance on this database. A row
-- exists only while an address has failures on record; successful requests never write here.
CREATE TABLE brute_force_attempts (
    action TEXT NOT NULL,
    address TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_attempt BIGINT NOT NULL,
    PRIMARY KEY (action, address)
);
CREATE INDEX brute_force_attempts_last_attempt ON brute_force_attempts (last_attempt);
