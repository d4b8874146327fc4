-- The userIDs a message mentions, one per line.
ALTER TABLE messages ADD COLUMN at_users TEXT NOT NULL DEFAULT '';
