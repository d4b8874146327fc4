-- Read receipts asked for.
ALTER TABLE messages ADD COLUMN need_receipt INTEGER NOT NULL DEFAULT 0;
