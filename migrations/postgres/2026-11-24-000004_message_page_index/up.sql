-- Pages of a conversation filter on (conversation_id, user_id) and order by id:
-- one index with all three lets the planner read a page straight off the index
-- even when its statistics are stale (right after a burst of messages), and
-- still serves the composite foreign key.
CREATE INDEX message_conversation_id_user_id_id_idx ON "message" (conversation_id, user_id, id);
DROP INDEX message_conversation_id_id_idx;
