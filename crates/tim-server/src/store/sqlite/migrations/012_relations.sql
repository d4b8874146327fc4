-- Relation rows (store/relations.rs): a user's blacklist, friends, friend applications and
-- friend groups, each `(owner, kind, other)` with its JSON data and when it was written.
CREATE TABLE relations (
    app INTEGER NOT NULL,
    owner TEXT NOT NULL,
    kind INTEGER NOT NULL,
    other TEXT NOT NULL,
    data TEXT NOT NULL,
    time INTEGER NOT NULL,
    PRIMARY KEY (app, owner, kind, other)
) WITHOUT ROWID;
-- Who has a user in their lists (whose friend they are, who blocked them).
CREATE INDEX relations_other ON relations (app, kind, other);
