-- The sender's nick and avatar when the message was sent (the official stamps every message).
ALTER TABLE messages ADD COLUMN nick TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN avatar TEXT NOT NULL DEFAULT '';
