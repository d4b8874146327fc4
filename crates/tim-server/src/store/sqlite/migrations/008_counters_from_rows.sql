-- The sequence counters are the rows they number: an inbox's last item and a conversation's
-- last message (neither is ever deleted). The writer keeps them in memory once read.
ALTER TABLE users DROP COLUMN inbox_seq;
DROP TABLE conversations;
