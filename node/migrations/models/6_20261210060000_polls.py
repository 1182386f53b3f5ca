"""Polls: their options, and the votes cast here or received for ours.
SQL for both dialects: see 0_…_init.py. New tables only: existing rows are untouched."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
CREATE TABLE "polls" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "multiple" INT NOT NULL,
    "expires_at" TIMESTAMP,
    "closed_at" TIMESTAMP,
    "voters_count" INT NOT NULL,
    "results_due_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL,
    "post_id" BIGINT NOT NULL UNIQUE REFERENCES "posts" ("id") ON DELETE CASCADE
) /* The poll of `post`: single or multiple choice, open until `expires_at`. */;
CREATE INDEX "idx_polls_closed__d6934a" ON "polls" ("closed_at", "expires_at");
CREATE INDEX "idx_polls_results_6c6e78" ON "polls" ("results_due_at");
CREATE TABLE "poll_options" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "position" INT NOT NULL,
    "name" TEXT NOT NULL,
    "votes_count" INT NOT NULL,
    "poll_id" BIGINT NOT NULL REFERENCES "polls" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_poll_option_poll_id_2062cd" UNIQUE ("poll_id", "position")
) /* One answer of a poll, in the author's order, and how many votes it has. */;
CREATE TABLE "poll_votes" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "slot" INT NOT NULL,
    "ap_id" VARCHAR(512) UNIQUE,
    "created_at" TIMESTAMP NOT NULL,
    "option_id" BIGINT NOT NULL REFERENCES "poll_options" ("id") ON DELETE CASCADE,
    "poll_id" BIGINT NOT NULL REFERENCES "polls" ("id") ON DELETE CASCADE,
    "voter_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_poll_votes_poll_id_c0edd2" UNIQUE ("poll_id", "voter_id", "slot")
) /* `voter` chose `option` of `poll`. */;
"""

POSTGRES = """
CREATE TABLE "polls" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "multiple" BOOL NOT NULL,
    "expires_at" TIMESTAMPTZ,
    "closed_at" TIMESTAMPTZ,
    "voters_count" INT NOT NULL,
    "results_due_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "post_id" BIGINT NOT NULL UNIQUE REFERENCES "posts" ("id") ON DELETE CASCADE
);
CREATE INDEX "idx_polls_closed__d6934a" ON "polls" ("closed_at", "expires_at");
CREATE INDEX "idx_polls_results_6c6e78" ON "polls" ("results_due_at");
COMMENT ON TABLE "polls" IS 'The poll of `post`: single or multiple choice, open until `expires_at`.';
CREATE TABLE "poll_options" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "position" INT NOT NULL,
    "name" TEXT NOT NULL,
    "votes_count" INT NOT NULL,
    "poll_id" BIGINT NOT NULL REFERENCES "polls" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_poll_option_poll_id_2062cd" UNIQUE ("poll_id", "position")
);
COMMENT ON TABLE "poll_options" IS 'One answer of a poll, in the author''s order, and how many votes it has.';
CREATE TABLE "poll_votes" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "slot" INT NOT NULL,
    "ap_id" VARCHAR(512) UNIQUE,
    "created_at" TIMESTAMPTZ NOT NULL,
    "option_id" BIGINT NOT NULL REFERENCES "poll_options" ("id") ON DELETE CASCADE,
    "poll_id" BIGINT NOT NULL REFERENCES "polls" ("id") ON DELETE CASCADE,
    "voter_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_poll_votes_poll_id_c0edd2" UNIQUE ("poll_id", "voter_id", "slot")
);
COMMENT ON TABLE "poll_votes" IS '`voter` chose `option` of `poll`.';
"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return SQLITE if db.schema_generator.DIALECT == "sqlite" else POSTGRES


async def downgrade(db: BaseDBAsyncClient) -> str:
    return ""
