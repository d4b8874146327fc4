-- Users, conversations (sequence counters), messages, inbox.
CREATE TABLE IF NOT EXISTS users (
    app        INTEGER NOT NULL,
    user_id    TEXT    NOT NULL,
    created    INTEGER NOT NULL,
    inbox_seq  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (app, user_id)
) WITHOUT ROWID;
-- One row per conversation (C2C pair or, later, group): its last message sequence.
CREATE TABLE IF NOT EXISTS conversations (
    app        INTEGER NOT NULL,
    conv       TEXT    NOT NULL,
    last_seq   INTEGER NOT NULL,
    PRIMARY KEY (app, conv)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
    id            INTEGER PRIMARY KEY,
    app           INTEGER NOT NULL,
    conv          TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    conv_type     INTEGER NOT NULL,
    sender        TEXT    NOT NULL,
    receiver      TEXT    NOT NULL,
    client_msg_id TEXT    NOT NULL,
    random        INTEGER NOT NULL,
    time          INTEGER NOT NULL,
    elements      TEXT    NOT NULL,
    cloud_custom_data TEXT NOT NULL DEFAULT '',
    UNIQUE (app, conv, seq),
    UNIQUE (app, sender, client_msg_id)
);
-- Every event a user must see, numbered per user.
CREATE TABLE IF NOT EXISTS inbox (
    app        INTEGER NOT NULL,
    user_id    TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    kind       INTEGER NOT NULL,
    msg        INTEGER NOT NULL REFERENCES messages(id),
    PRIMARY KEY (app, user_id, seq)
) WITHOUT ROWID;
