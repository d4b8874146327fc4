-- Who modified a message last.
ALTER TABLE messages ADD COLUMN modifier TEXT NOT NULL DEFAULT '';
