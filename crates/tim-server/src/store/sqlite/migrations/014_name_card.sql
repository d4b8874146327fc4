-- The sender's name card in the group when a group message was sent.
ALTER TABLE messages ADD COLUMN name_card TEXT NOT NULL DEFAULT '';
