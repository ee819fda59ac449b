CREATE INDEX message_conversation_id_id_idx ON "message" (conversation_id, id);
DROP INDEX message_conversation_id_user_id_id_idx;
