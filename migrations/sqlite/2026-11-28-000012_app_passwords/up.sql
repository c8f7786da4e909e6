-- Secrets shared by every instance on this database (e.g. the key app passwords are hashed with),
-- generated at the first start.
CREATE TABLE server_secrets (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);

-- App passwords (Nextcloud's app tokens): only their keyed hash is stored.
CREATE TABLE app_passwords (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT    NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    login_name TEXT    NOT NULL,
    token_hash TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX app_passwords_user ON app_passwords (user_id);

-- Login Flow v2 in progress. Tokens are stored hashed; the app password the flow will hand out
-- is stored hashed and sealed with a key only the poll token yields.
CREATE TABLE login_flows (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    poll_token_hash     TEXT    NOT NULL UNIQUE,
    login_token_hash    TEXT    NOT NULL UNIQUE,
    client_name         TEXT    NOT NULL,
    server              TEXT    NOT NULL,
    created_at          BIGINT  NOT NULL,
    user_id             TEXT    REFERENCES users (user_id) ON DELETE CASCADE,
    browser_hash        TEXT,
    app_password_hash   TEXT    NOT NULL,
    app_password_sealed TEXT    NOT NULL,
    granted             BOOLEAN NOT NULL DEFAULT 0
);
CREATE INDEX login_flows_created ON login_flows (created_at);
