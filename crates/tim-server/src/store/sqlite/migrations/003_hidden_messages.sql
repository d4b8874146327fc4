-- Messages a user deleted from their own history.
CREATE TABLE hidden_messages (
    app        INTEGER NOT NULL,
    user_id    TEXT    NOT NULL,
    msg        INTEGER NOT NULL,
    PRIMARY KEY (app, user_id, msg)
) WITHOUT ROWID;
