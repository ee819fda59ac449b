DROP INDEX message_reply_to_idx;
ALTER TABLE "message" DROP COLUMN status;
ALTER TABLE "message" DROP COLUMN reply_to;
