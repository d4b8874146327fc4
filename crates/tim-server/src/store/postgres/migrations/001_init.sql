-- The whole schema of the SQLite store's ten steps, in PostgreSQL's types. The sequence
-- counters are columns under row locks: `users.inbox_seq` (a user's last inbox item) and
-- `conversations.last_seq` (a conversation's last message), taken in the transaction that
-- writes what they number, so a rolled-back write takes its number back. Identifiers compare
-- byte by byte (COLLATE "C"), as on SQLite, whatever the database's locale: list pages go by
-- peer in the same order everywhere.
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
CREATE TABLE users (
    app          BIGINT NOT NULL,
    user_id      TEXT COLLATE "C"   NOT NULL,
    created      BIGINT NOT NULL,
    inbox_seq    BIGINT NOT NULL DEFAULT 0,
    -- The bytes of the message bodies the user has stored (the quota counts them).
    stored_bytes BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (app, user_id)
);
CREATE TABLE conversations (
    app      BIGINT NOT NULL,
    conv     TEXT COLLATE "C"   NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (app, conv)
);
CREATE TABLE messages (
    id                BIGSERIAL PRIMARY KEY,
    app               BIGINT  NOT NULL,
    conv              TEXT COLLATE "C"    NOT NULL,
    seq               BIGINT  NOT NULL,
    conv_type         BIGINT  NOT NULL,
    sender            TEXT COLLATE "C"    NOT NULL,
    receiver          TEXT COLLATE "C"    NOT NULL,
    client_msg_id     TEXT COLLATE "C"    NOT NULL,
    random            BIGINT  NOT NULL,
    time              BIGINT  NOT NULL,
    elements          TEXT    NOT NULL,
    cloud_custom_data TEXT    NOT NULL DEFAULT '',
    revoker           TEXT    NOT NULL DEFAULT '',
    need_receipt      BOOLEAN NOT NULL DEFAULT FALSE,
    version           BIGINT  NOT NULL DEFAULT 0,
    -- MessageControlInfo (1: not counted as unread, 2: not the last message).
    control           BIGINT  NOT NULL DEFAULT 0,
    -- The userIDs a message mentions, one per line.
    at_users          TEXT    NOT NULL DEFAULT '',
    modifier          TEXT    NOT NULL DEFAULT '',
    UNIQUE (app, conv, seq),
    UNIQUE (app, sender, client_msg_id)
);
-- Every event a user must see, numbered per user: a message kind names its message (`msg`),
-- the others carry their JSON (`body`).
CREATE TABLE inbox (
    app     BIGINT NOT NULL,
    user_id TEXT COLLATE "C"   NOT NULL,
    seq     BIGINT NOT NULL,
    kind    BIGINT NOT NULL,
    msg     BIGINT,
    body    TEXT,
    PRIMARY KEY (app, user_id, seq)
);
CREATE TABLE user_conversations (
    app           BIGINT NOT NULL,
    user_id       TEXT COLLATE "C"   NOT NULL,
    peer          TEXT COLLATE "C"   NOT NULL,
    conv          TEXT COLLATE "C"   NOT NULL,
    conv_type     BIGINT NOT NULL,
    last_msg      BIGINT,
    unread        BIGINT NOT NULL DEFAULT 0,
    peer_read_seq BIGINT NOT NULL DEFAULT 0,
    cleared_seq   BIGINT NOT NULL DEFAULT 0,
    pinned        BIGINT NOT NULL DEFAULT 0,
    mark          BIGINT NOT NULL DEFAULT 0,
    custom_data   TEXT   NOT NULL DEFAULT '',
    deleted       BIGINT NOT NULL DEFAULT 0,
    updated       BIGINT NOT NULL,
    PRIMARY KEY (app, user_id, peer)
);
-- Messages a user deleted from their own history.
CREATE TABLE hidden_messages (
    app     BIGINT NOT NULL,
    user_id TEXT COLLATE "C"   NOT NULL,
    msg     BIGINT NOT NULL,
    PRIMARY KEY (app, user_id, msg)
);
