-- The session registry shared by the nodes: every logged-in session of every node, with the
-- node it is attached to (NULL `detached_until`) or how long it stays resumable, and the
-- sessions kicked while detached (their next `resume` is told why). Tokens are kept as their
-- SHA-256: the table does not hand out sessions.
CREATE TABLE sessions (
    id             BIGINT PRIMARY KEY,
    app            BIGINT NOT NULL,
    user_id        TEXT COLLATE "C" NOT NULL,
    token_hash     BYTEA  NOT NULL UNIQUE,
    platform       TEXT   NOT NULL,
    sig_expires_at BIGINT NOT NULL,
    node           BIGINT NOT NULL,
    -- Unix ms; NULL while attached to a connection on `node`.
    detached_until BIGINT,
    -- Unix ms: login order, oldest first.
    created        BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (app, user_id);
CREATE TABLE kicked_sessions (
    token_hash BYTEA  PRIMARY KEY,
    reason     TEXT   NOT NULL,
    until_ms   BIGINT NOT NULL
);
