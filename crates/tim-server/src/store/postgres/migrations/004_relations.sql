-- Relation rows (store/relations.rs): a user's blacklist, friends, friend applications and
-- friend groups, each `(owner, kind, other)` with its JSON data and when it was written.
CREATE TABLE relations (
    app BIGINT NOT NULL,
    owner TEXT NOT NULL,
    kind BIGINT NOT NULL,
    other TEXT NOT NULL,
    data TEXT NOT NULL,
    time BIGINT NOT NULL,
    PRIMARY KEY (app, owner, kind, other)
);
-- Who has a user in their lists (whose friend they are, who blocked them).
CREATE INDEX relations_other ON relations (app, kind, other);
