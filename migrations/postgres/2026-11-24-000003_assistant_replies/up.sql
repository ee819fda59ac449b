-- An assistant message answers one user message. The unique reply_to is the
-- claim that lets exactly one run (on any replica) answer it; status says
-- whether that run is still going, finished, or failed.
ALTER TABLE "message" ADD COLUMN reply_to BIGINT;
ALTER TABLE "message" ADD COLUMN status TEXT NOT NULL DEFAULT 'done'
    CHECK (status IN ('pending', 'done', 'failed'));
CREATE UNIQUE INDEX message_reply_to_idx ON "message" (reply_to);
