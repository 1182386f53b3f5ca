"""The initial schema, written for both SQLite and PostgreSQL.

aerich writes one dialect's SQL; Kith runs on both, so every migration returns the SQL for
the dialect of the connection it is given.
"""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
CREATE TABLE "actors" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "ap_id" VARCHAR(512) NOT NULL UNIQUE,
    "actor_type" VARCHAR(32) NOT NULL,
    "username" VARCHAR(255) NOT NULL,
    "domain" VARCHAR(255) NOT NULL,
    "local" INT NOT NULL,
    "display_name" VARCHAR(255) NOT NULL,
    "summary_html" TEXT NOT NULL,
    "url" VARCHAR(512) NOT NULL,
    "inbox" VARCHAR(512) NOT NULL,
    "shared_inbox" VARCHAR(512),
    "outbox" VARCHAR(512) NOT NULL,
    "followers_url" VARCHAR(512) NOT NULL,
    "following_url" VARCHAR(512) NOT NULL,
    "public_key_id" VARCHAR(512) NOT NULL,
    "public_key_pem" TEXT NOT NULL,
    "avatar_url" VARCHAR(512),
    "header_url" VARCHAR(512),
    "locked" INT NOT NULL,
    "discoverable" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "changed_at" TIMESTAMP NOT NULL,
    "fetched_at" TIMESTAMP,
    CONSTRAINT "uid_actors_usernam_e61b34" UNIQUE ("username", "domain")
) /* A person, group or service, on this node (`local`) or another server. */;
CREATE TABLE "accounts" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "username" VARCHAR(64) NOT NULL UNIQUE,
    "password_hash" VARCHAR(255) NOT NULL,
    "private_key_pem" TEXT NOT NULL,
    "is_admin" INT NOT NULL,
    "default_visibility" VARCHAR(16) NOT NULL /* PUBLIC: public\nUNLISTED: unlisted\nFOLLOWERS: followers\nDIRECT: direct\nLOCAL: local */,
    "bio_source" TEXT NOT NULL,
    "rss_enabled" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "actor_id" BIGINT NOT NULL UNIQUE REFERENCES "actors" ("id") ON DELETE CASCADE
) /* A person who signs in on this node; their public face is `actor`. */;
CREATE TABLE "blocks" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "blocker_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    "target_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_blocks_blocker_8a7446" UNIQUE ("blocker_id", "target_id")
) /* `blocker` blocks `target`: the target sees none of the blocker's posts. */;
CREATE INDEX "idx_blocks_target__de0547" ON "blocks" ("target_id", "blocker_id");
CREATE TABLE "follows" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "ap_id" VARCHAR(512) UNIQUE,
    "state" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "accepted_at" TIMESTAMP,
    "follower_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    "target_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_follows_followe_24a996" UNIQUE ("follower_id", "target_id")
) /* `follower` follows `target`: requested, then accepted or rejected. */;
CREATE INDEX "idx_follows_target__c76e1c" ON "follows" ("target_id", "state");
CREATE INDEX "idx_follows_followe_617579" ON "follows" ("follower_id", "state");
CREATE TABLE "posts" (
    "id" BIGINT NOT NULL PRIMARY KEY,
    "ap_id" VARCHAR(512) NOT NULL UNIQUE,
    "url" VARCHAR(512) NOT NULL,
    "local" INT NOT NULL,
    "visibility" VARCHAR(16) NOT NULL /* PUBLIC: public\nUNLISTED: unlisted\nFOLLOWERS: followers\nDIRECT: direct\nLOCAL: local */,
    "source" TEXT NOT NULL,
    "content_html" TEXT NOT NULL,
    "content_warning" TEXT NOT NULL,
    "sensitive" INT NOT NULL,
    "in_reply_to_ap_id" VARCHAR(512),
    "created_at" TIMESTAMP NOT NULL,
    "edited_at" TIMESTAMP,
    "deleted_at" TIMESTAMP,
    "author_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    "in_reply_to_id" BIGINT REFERENCES "posts" ("id") ON DELETE SET NULL
) /* A status. `id` is time-ordered (node.ids), so newest-first is `-id`. */;
CREATE INDEX "idx_posts_author__4d63b2" ON "posts" ("author_id", "visibility", "id");
CREATE INDEX "idx_posts_author__f3ea3f" ON "posts" ("author_id", "id");
CREATE TABLE "mentions" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "actor_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    "post_id" BIGINT NOT NULL REFERENCES "posts" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_mentions_post_id_d2b994" UNIQUE ("post_id", "actor_id")
) /* An actor a post mentions; the mentioned are the audience of a direct post. */;
CREATE INDEX "idx_mentions_actor_i_24d7ca" ON "mentions" ("actor_id", "post_id");
CREATE TABLE "sessions" (
    "token_hash" VARCHAR(64) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "last_seen_at" TIMESTAMP NOT NULL,
    "account_id" BIGINT NOT NULL REFERENCES "accounts" ("id") ON DELETE CASCADE
) /* A signed-in browser. The cookie holds a random token; we keep only its hash. */;
CREATE TABLE "tags" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "post_id" BIGINT NOT NULL REFERENCES "posts" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_tags_post_id_3d2d25" UNIQUE ("post_id", "name")
) /* A hashtag used by a post, lower-cased. */;
CREATE INDEX "idx_tags_name_2e9f1b" ON "tags" ("name", "post_id");
CREATE TABLE "aerich" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSON NOT NULL
);
"""

POSTGRES = """
CREATE TABLE "actors" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "ap_id" VARCHAR(512) NOT NULL UNIQUE,
    "actor_type" VARCHAR(32) NOT NULL,
    "username" VARCHAR(255) NOT NULL,
    "domain" VARCHAR(255) NOT NULL,
    "local" BOOL NOT NULL,
    "display_name" VARCHAR(255) NOT NULL,
    "summary_html" TEXT NOT NULL,
    "url" VARCHAR(512) NOT NULL,
    "inbox" VARCHAR(512) NOT NULL,
    "shared_inbox" VARCHAR(512),
    "outbox" VARCHAR(512) NOT NULL,
    "followers_url" VARCHAR(512) NOT NULL,
    "following_url" VARCHAR(512) NOT NULL,
    "public_key_id" VARCHAR(512) NOT NULL,
    "public_key_pem" TEXT NOT NULL,
    "avatar_url" VARCHAR(512),
    "header_url" VARCHAR(512),
    "locked" BOOL NOT NULL,
    "discoverable" BOOL NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "changed_at" TIMESTAMPTZ NOT NULL,
    "fetched_at" TIMESTAMPTZ,
    CONSTRAINT "uid_actors_usernam_e61b34" UNIQUE ("username", "domain")
);
COMMENT ON TABLE "actors" IS 'A person, group or service, on this node (`local`) or another server.';
CREATE TABLE "accounts" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "username" VARCHAR(64) NOT NULL UNIQUE,
    "password_hash" VARCHAR(255) NOT NULL,
    "private_key_pem" TEXT NOT NULL,
    "is_admin" BOOL NOT NULL,
    "default_visibility" VARCHAR(16) NOT NULL,
    "bio_source" TEXT NOT NULL,
    "rss_enabled" BOOL NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "actor_id" BIGINT NOT NULL UNIQUE REFERENCES "actors" ("id") ON DELETE CASCADE
);
COMMENT ON COLUMN "accounts"."default_visibility" IS 'PUBLIC: public\nUNLISTED: unlisted\nFOLLOWERS: followers\nDIRECT: direct\nLOCAL: local';
COMMENT ON TABLE "accounts" IS 'A person who signs in on this node; their public face is `actor`.';
CREATE TABLE "blocks" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "blocker_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    "target_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_blocks_blocker_8a7446" UNIQUE ("blocker_id", "target_id")
);
CREATE INDEX "idx_blocks_target__de0547" ON "blocks" ("target_id", "blocker_id");
COMMENT ON TABLE "blocks" IS '`blocker` blocks `target`: the target sees none of the blocker''s posts.';
CREATE TABLE "follows" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "ap_id" VARCHAR(512) UNIQUE,
    "state" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "accepted_at" TIMESTAMPTZ,
    "follower_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    "target_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_follows_followe_24a996" UNIQUE ("follower_id", "target_id")
);
CREATE INDEX "idx_follows_target__c76e1c" ON "follows" ("target_id", "state");
CREATE INDEX "idx_follows_followe_617579" ON "follows" ("follower_id", "state");
COMMENT ON TABLE "follows" IS '`follower` follows `target`: requested, then accepted or rejected.';
CREATE TABLE "posts" (
    "id" BIGINT NOT NULL PRIMARY KEY,
    "ap_id" VARCHAR(512) NOT NULL UNIQUE,
    "url" VARCHAR(512) NOT NULL,
    "local" BOOL NOT NULL,
    "visibility" VARCHAR(16) NOT NULL,
    "source" TEXT NOT NULL,
    "content_html" TEXT NOT NULL,
    "content_warning" TEXT NOT NULL,
    "sensitive" BOOL NOT NULL,
    "in_reply_to_ap_id" VARCHAR(512),
    "created_at" TIMESTAMPTZ NOT NULL,
    "edited_at" TIMESTAMPTZ,
    "deleted_at" TIMESTAMPTZ,
    "author_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    "in_reply_to_id" BIGINT REFERENCES "posts" ("id") ON DELETE SET NULL
);
CREATE INDEX "idx_posts_author__4d63b2" ON "posts" ("author_id", "visibility", "id");
CREATE INDEX "idx_posts_author__f3ea3f" ON "posts" ("author_id", "id");
COMMENT ON COLUMN "posts"."visibility" IS 'PUBLIC: public\nUNLISTED: unlisted\nFOLLOWERS: followers\nDIRECT: direct\nLOCAL: local';
COMMENT ON TABLE "posts" IS 'A status. `id` is time-ordered (node.ids), so newest-first is `-id`.';
CREATE TABLE "mentions" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "actor_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    "post_id" BIGINT NOT NULL REFERENCES "posts" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_mentions_post_id_d2b994" UNIQUE ("post_id", "actor_id")
);
CREATE INDEX "idx_mentions_actor_i_24d7ca" ON "mentions" ("actor_id", "post_id");
COMMENT ON TABLE "mentions" IS 'An actor a post mentions; the mentioned are the audience of a direct post.';
CREATE TABLE "sessions" (
    "token_hash" VARCHAR(64) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "last_seen_at" TIMESTAMPTZ NOT NULL,
    "account_id" BIGINT NOT NULL REFERENCES "accounts" ("id") ON DELETE CASCADE
);
COMMENT ON TABLE "sessions" IS 'A signed-in browser. The cookie holds a random token; we keep only its hash.';
CREATE TABLE "tags" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(255) NOT NULL,
    "post_id" BIGINT NOT NULL REFERENCES "posts" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_tags_post_id_3d2d25" UNIQUE ("post_id", "name")
);
CREATE INDEX "idx_tags_name_2e9f1b" ON "tags" ("name", "post_id");
COMMENT ON TABLE "tags" IS 'A hashtag used by a post, lower-cased.';
CREATE TABLE "aerich" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSONB NOT NULL
);
"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return SQLITE if db.schema_generator.DIALECT == "sqlite" else POSTGRES


async def downgrade(db: BaseDBAsyncClient) -> str:
    return ""


MODELS_STATE = (
    "eJztXVtz27YS/isYvRxnxvb4Fid1n2RHaX0qWxlbaTttOhREwhJqClAByo4mx//9ACAp8Q"
    "JShCQrlIoXjwlgV+C3wGKxWCy/NUbUQz4/bLounZCgcQG+NQgcIfFPtmofNOB4PK+QBQHs"
    "+6otDBupQtjnAYOuZPYAfY5EkYe4y/A4wJTI1k0wRoxTAp6HFHA8IBxgAsRzMMQcEMH+R/"
    "EvwgyMJ30fu4KPi4Co6gm2lPUO5c941BW/g8lgbRwnBP8zQU5AB0i0ZYLvn3+JYkw89BXx"
    "+HH86Dxg5HsprLAnGahyJ5iOVdklHlyT4KNqK/vbd1zqT0Zk3n48DYaUzAhwiPIAEcRggO"
    "QvBGwi8SMT34+gjiENOztvEvYyQeOhBzjxpRQkddiBeVnDcW47Xee+1XWcRk5CMUUC4qjI"
    "pURKF0tZSwAGsgsHP5ycnJ6+Ozk6PX//9uzdu7fvj96Ltqq/+ap3L2Fn5miFrBRm1z9d33"
    "Zlh6gYQuHYkgUvigYGMKRSwpijP+GIqf9zMrgaQqaXQJImIwfxglk5xKjXVxAj+NXxERkE"
    "Q/F4flaC8a/Nu6ufm3d752dv0kDfRjUnqkpCPod4DDl/psxzhpAPTXDOEa4H7LhgjvZc12"
    "wc7pO3byvgLVoVAq7qMogz/CQAcR7R1BmjUR7zLvpaoF00pDuBegnI3dbvSm2MOP/HT2K7"
    "d9P8XcE+mkY17c7tT3HzhCyu2p3LjAgwd6A3wkSj2yn1ESQFyj1BlsG9L+heC/hZyWaRv+"
    "x02inkL6+z0H6+uWzd7R0rMYhGOEjp9TneUbedJ8xxH4t2U72maZHJSEF/LToJiYtyItBz"
    "2twkEK19zCVPM4E0Pn2+bF9fXURmyhfy+bZ9fd9tfbgAMccv5GOn3e781rq7F79MfZ8+C9"
    "PnC/lwfde66l4ADzPkBl9Iu3PVbF8An7rQz9pLVZTa8XkFnXZ8XqjSZFVavH1MHU4nzNUs"
    "1MXKLE21QREaiq62Woxx7iAiodAZqWWKLEO5QV0Wm05bq8pchiQkDgzymH8QNQEeIT3oac"
    "oM5l5Eehj/s4WreEO8oNch/jSSc9l8uL5p3XebN59SUvnQ7LZkzUlqQsSle1mVNGMCfrvu"
    "/gzkI/ijc9tS8FIeDJj6xXm77h8N2Sc4CahD6LNYzBPWfFwao5aSutpMOqabwSTV4i1h/b"
    "ciG9sTyu34w2NiSygL+tB9fIZiw5GqmcuII87FG3GNjCLKj7/cIR+q185LJPKK3IdctnD6"
    "vcTDLy6Np6EEj55QLWhqiOYR6xDUpeJPzhjTg9aMuWzVeC4CTBQz+DxzBqWmsXh38cYoXB"
    "2umvdXzQ+txktqeKahllWjk1G2BBI4UC8suyY7kkJS662LIC7z1Ykmhp66fTBgdDIGlAGO"
    "2BN2Rdukdw3s9ZSh2Xsjm0BCpQNNNUWs2Fu3MleNx+7PlGfHoyMhscZf1o9XF529X+LHg2"
    "Pt2lnsXJoR7JwH7+3xSYXtl2hVuP9SdS8a80SBZAJyimqDG7BPSkm81jYsjfdpFbhPi9E+"
    "zYFdD6f097b1X99PGql4A5TnFBbjahjPnEgGzoMZjXWBmrhAMR/7cOqYao4s3Q74yTYwrv"
    "lkNIJs6gyDkWZ4F/sks3Q7gPamvZITpkG8ZGVkuwL0Buw8TPr0qwm6MwKLbxV8uQASeY4x"
    "zFm6pdCO9iT1tD5eBW46CQyBnlPYAV0F4dkxomOolnOEFu/qeItOLId3gtDiXQXv8DRdxc"
    "OYOZhyhBZvQ7xNQ5dylDuA+KZta/gEA8hMdUuaytomlUb6EEEPGUOdprJQV4Lap+6jcQjL"
    "nMi6oczcUC59EsBIFMwQz5LaqCEbNWSjhsqihtwhJIPlpJ6itFLfJqk/oMAdLiX1NOUapF"
    "4zW2JLhBxjkpPyUmFpfWmprBiUdil5bOEsLwxJS0WPh6ac09dcCrAgZR1Lq2H0UbHZbZAQ"
    "W3G27TZII0QkX3VcsRpONyGnXQVKrhgrjqRPgsUuwZOPJC6JfE2Gp81umuuxjMONFyOauL"
    "S+lbaPHlODAOFwldMECM+Wv+IA4bkpsjhAuBcuy6wHQirQCyAboKB3Ie/bg/ABcIRkRC9B"
    "gD6o8ojqPxyo6ZMPEV4jX22QcNQwfG/JKxcj/K0xhzpqE50BRLTySdKgr2MW3ymIxBJhHo"
    "k4HpsN1VgAqh5ebBByLYOQrQ+mWEC7uxtPzGmjuZemW8/tre8t5Q1Ow7kAUhq2Ov4pMgv/"
    "atfnctMhL4uPlCE8IL+g6Wvf+aqpIbafufWVVgD6e1/5cW6BXQhsamZXuE+X87hV3oEYmt"
    "bRvl9jW889AsXGdeh8qGpdx66KXpTpIWkHMyTkKTNC7EvTlwCxfUJj8SjvyjH0N3LF/xrD"
    "ei0stTZ1zHkpo1oMdyHdVexpOcsS3OPerI2/tddraa9v+NJg1l+w63cGw3ljAO+MYIOBWz"
    "O91dgI0OtPjWM3ncXQ7+6mM15elxB7htQeAtftEFh34GS8u80Q2v2tdS9sD/wl7oXkTsFu"
    "g0u3wRkVYB0Mu+9giA/MNR6GxFl6sYshOrqvmuJHbvMDmV9HnZmBmFolzAazMAAAGVIlcO"
    "JhJAaOPHKDUbZJRanJ87NW1lqfwzg6Og8TVJW6G1Jp1gSZPb/b2qVlv8wfUJMcfP+adT4b"
    "DGOMfYLIQr8uEytWjCsaATsWmpS1ARJDb7FlVZAE0RpWqyVC3JhdpcayxqiKx3ixRTWL8a"
    "uSMVE6QCf8EPSw15OfGJH+lwPKPMSEqbMn8xoeYo+/2QecAoKeEQ8OHjAT5pH8HMmBINIl"
    "TFwP08VfOElbTBMxfGNJplOpr2g7Zc5qUj+0bWZZlZlr7TKb3PGVD2psQqVXvXq8Ffnvtv"
    "4C7Opf/vheX/wwVx47/a0P8+982G98rJDxQ/x8gEhgnMgwS1fn+VJ78MUOhWiv3i3GP0Fq"
    "R7+xADgiHAf4yTRVRYrO5gcxWKcxcRga+1OxlXSMDXstsU2CU8kStYFCS2mdbYsYQR5eTs"
    "opQhsVVGcZh37RZYScprRSrrOUU65Ng/PIJJk9FVv6QDJpaxg7gHO0SwmiZpOrFqeT4fC2"
    "Z2mLz9KSemDxEWViyK4B3IqHvzUb4FWhzU/vFL6iG+D2c7tddlqZS5eyYiKQHU+VIuHGaD"
    "PJUrZkUGZCNwcrgtOFg10aPK8ZDRB/wVMTEJD4uGdxTEDyO6KVwgKE6kXeASagz+gzR+wQ"
    "dIcIuJQ+YgSGVPQZQMAg8egIBPQRkR/BMwKPCI0BJf4U4ICDIeRDbXjAWpkvDhMoPGRXvB"
    "3JycQjlKbaufPe87MKjqDzs0I/kKyySUvs/bHs3tKHPHA4ElPHXO5ZWiv5bZJ8lCptiTDn"
    "JJ31K6xtP1uUum6JDW3VzHV1E0T18NDkGKxTgKi0njXmYGRUF5uCsd1exQyURo5oDyYcea"
    "A/ja7G7AMV2nHgQq5L2lGdrPSSjHqv0jsys89H2vsx26ypykxF0y+L2u8Rm31T1F6Bqcui"
    "bK/ArOUKzPdZi5uIYXeoW46jmtIVGc7bLFqTiwFdwQ2im///lvXt5Pjs3dn70/Oz2VyflZ"
    "RN8cUr1xNisVuu6uKVILHrV7X1S04qA4Sj5juI7vHRUZWo6KOj4rBoWaeNFc0j/N/7zm1p"
    "jKjOSYPdAPwPyFjxLUS7BFwJRsoTk4sSzQaE7qddLJLBpc462ORi9vJ/icZWAw=="
)
