-- Everything a user owns. Every row names its owner and goes when the owner goes.
CREATE TABLE "task" (
    id BIGSERIAL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT,
    completed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX task_user_id_id_idx ON "task" (user_id, id);

CREATE TABLE "conversation" (
    id BIGSERIAL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- the target of message's composite foreign key
    UNIQUE (id, user_id)
);
CREATE INDEX conversation_user_id_updated_at_idx ON "conversation" (user_id, updated_at);

-- A message can only sit in a conversation of its own user: (conversation_id, user_id)
-- must name an existing conversation row with that owner.
CREATE TABLE "message" (
    id BIGSERIAL PRIMARY KEY,
    conversation_id BIGINT NOT NULL,
    user_id TEXT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    tool_calls TEXT,
    created_at TIMESTAMP NOT NULL,
    FOREIGN KEY (conversation_id, user_id) REFERENCES "conversation" (id, user_id) ON DELETE CASCADE
);
-- Keyset paging by conversation (WHERE conversation_id = ? AND id < ? ORDER BY id DESC);
-- its leading column also serves the composite foreign key.
CREATE INDEX message_conversation_id_id_idx ON "message" (conversation_id, id);
CREATE INDEX message_user_id_idx ON "message" (user_id);
