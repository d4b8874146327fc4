-- Message versions (modifications).
ALTER TABLE messages ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
