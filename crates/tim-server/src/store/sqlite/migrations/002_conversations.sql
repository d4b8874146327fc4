-- Revocation, each user's view of their conversations, inbox items with a body.
ALTER TABLE messages ADD COLUMN revoker TEXT NOT NULL DEFAULT '';
-- Items that are not about one message have no `msg`; they carry a JSON `body` instead.
CREATE TABLE inbox_v2 (
    app        INTEGER NOT NULL,
    user_id    TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    kind       INTEGER NOT NULL,
    msg        INTEGER,
    body       TEXT,
    PRIMARY KEY (app, user_id, seq)
) WITHOUT ROWID;
INSERT INTO inbox_v2 (app, user_id, seq, kind, msg) SELECT app, user_id, seq, kind, msg FROM inbox;
DROP TABLE inbox;
ALTER TABLE inbox_v2 RENAME TO inbox;
CREATE TABLE user_conversations (
    app           INTEGER NOT NULL,
    user_id       TEXT    NOT NULL,
    peer          TEXT    NOT NULL,
    conv          TEXT    NOT NULL,
    conv_type     INTEGER NOT NULL,
    last_msg      INTEGER,
    unread        INTEGER NOT NULL DEFAULT 0,
    peer_read_seq INTEGER NOT NULL DEFAULT 0,
    cleared_seq   INTEGER NOT NULL DEFAULT 0,
    pinned        INTEGER NOT NULL DEFAULT 0,
    mark          INTEGER NOT NULL DEFAULT 0,
    custom_data   TEXT    NOT NULL DEFAULT '',
    deleted       INTEGER NOT NULL DEFAULT 0,
    updated       INTEGER NOT NULL,
    PRIMARY KEY (app, user_id, peer)
) WITHOUT ROWID;
INSERT INTO user_conversations (app, user_id, peer, conv, conv_type, last_msg, updated)
    SELECT app, sender, receiver, conv, conv_type, MAX(id), MAX(time) FROM messages
    GROUP BY app, sender, receiver
    ON CONFLICT DO UPDATE SET last_msg = MAX(last_msg, excluded.last_msg),
                              updated = MAX(updated, excluded.updated);
INSERT INTO user_conversations (app, user_id, peer, conv, conv_type, last_msg, updated)
    SELECT app, receiver, sender, conv, conv_type, MAX(id), MAX(time) FROM messages
    GROUP BY app, receiver, sender
    ON CONFLICT DO UPDATE SET last_msg = MAX(last_msg, excluded.last_msg),
                              updated = MAX(updated, excluded.updated);
