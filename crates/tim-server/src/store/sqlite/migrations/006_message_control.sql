-- MessageControlInfo (1: not counted as unread, 2: not the last message).
ALTER TABLE messages ADD COLUMN control INTEGER NOT NULL DEFAULT 0;
