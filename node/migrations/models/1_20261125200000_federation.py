"""Federation tables (inbox queue, delivery queue and ledger, host health, remote keys),
domain blocks, favourites and boosts, the featured collection URL of actors and the
hide-network preference of accounts.
SQL for both dialects: see 0_…_init.py."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
CREATE TABLE "domain_blocks" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "domain" VARCHAR(255) NOT NULL UNIQUE,
    "created_at" TIMESTAMP NOT NULL
) /* A server this node refuses: its activities are dropped and it receives nothing. */;
CREATE TABLE "boosts" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "ap_id" VARCHAR(512),
    "created_at" TIMESTAMP NOT NULL,
    "actor_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    "post_id" BIGINT NOT NULL REFERENCES "posts" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_boosts_actor_i_22d51b" UNIQUE ("actor_id", "post_id")
) /* `actor` boosted `post` (an Announce activity). */;
CREATE TABLE "favourites" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "ap_id" VARCHAR(512),
    "created_at" TIMESTAMP NOT NULL,
    "actor_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    "post_id" BIGINT NOT NULL REFERENCES "posts" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_favourites_actor_i_0db2a6" UNIQUE ("actor_id", "post_id")
) /* `actor` liked `post` (a Like activity). */;
CREATE TABLE "delivered_to" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "object_id" VARCHAR(512) NOT NULL,
    "inbox" VARCHAR(512) NOT NULL,
    "delivered_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_delivered_t_object__e0e4a6" UNIQUE ("object_id", "inbox")
) /* The ledger: `inbox` accepted an activity about `object_id`; later edits and deletes */;
CREATE TABLE "deliveries" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "inbox" VARCHAR(512) NOT NULL,
    "host" VARCHAR(255) NOT NULL,
    "activity_id" VARCHAR(512) NOT NULL,
    "object_id" VARCHAR(512),
    "body" TEXT NOT NULL,
    "sender_key_id" VARCHAR(512) NOT NULL,
    "state" VARCHAR(16) NOT NULL,
    "attempts" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "next_try_at" TIMESTAMP NOT NULL,
    "locked_until" TIMESTAMP,
    "last_status" INT,
    "error" VARCHAR(500) NOT NULL
) /* One activity to POST to one inbox, signed as `sender_key_id` on every try. */;
CREATE INDEX "idx_deliveries_state_d7d653" ON "deliveries" ("state", "next_try_at");
CREATE INDEX "idx_deliveries_object__88e955" ON "deliveries" ("object_id");
CREATE TABLE "host_health" (
    "host" VARCHAR(255) NOT NULL PRIMARY KEY,
    "failing_since" TIMESTAMP,
    "last_failure_at" TIMESTAMP,
    "unreachable" INT NOT NULL
) /* Failures per remote host, so a host that has failed for days is skipped until it */;
CREATE TABLE "inbox_items" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "activity_id" VARCHAR(512) NOT NULL UNIQUE,
    "signer" VARCHAR(512) NOT NULL,
    "recipient" VARCHAR(255),
    "body" TEXT NOT NULL,
    "state" VARCHAR(16) NOT NULL,
    "attempts" INT NOT NULL,
    "next_try_at" TIMESTAMP NOT NULL,
    "locked_until" TIMESTAMP,
    "error" VARCHAR(500) NOT NULL,
    "received_at" TIMESTAMP NOT NULL
) /* An activity someone POSTed to us, stored before we answered 202. */;
CREATE INDEX "idx_inbox_items_state_63e1ef" ON "inbox_items" ("state", "next_try_at");
CREATE TABLE "remote_keys" (
    "key_id" VARCHAR(512) NOT NULL PRIMARY KEY,
    "owner" VARCHAR(512) NOT NULL,
    "public_key_pem" TEXT NOT NULL,
    "fetched_at" TIMESTAMP NOT NULL
) /* A remote actor's public key, as last fetched. */;
ALTER TABLE "actors" ADD "featured_url" VARCHAR(512) NOT NULL DEFAULT '';
ALTER TABLE "accounts" ADD "hide_network" INT NOT NULL DEFAULT 0;
"""

POSTGRES = """
CREATE TABLE "domain_blocks" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "domain" VARCHAR(255) NOT NULL UNIQUE,
    "created_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "domain_blocks" IS 'A server this node refuses: its activities are dropped and it receives nothing.';
CREATE TABLE "boosts" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "ap_id" VARCHAR(512),
    "created_at" TIMESTAMPTZ NOT NULL,
    "actor_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    "post_id" BIGINT NOT NULL REFERENCES "posts" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_boosts_actor_i_22d51b" UNIQUE ("actor_id", "post_id")
);
COMMENT ON TABLE "boosts" IS '`actor` boosted `post` (an Announce activity).';
CREATE TABLE "favourites" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "ap_id" VARCHAR(512),
    "created_at" TIMESTAMPTZ NOT NULL,
    "actor_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    "post_id" BIGINT NOT NULL REFERENCES "posts" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_favourites_actor_i_0db2a6" UNIQUE ("actor_id", "post_id")
);
COMMENT ON TABLE "favourites" IS '`actor` liked `post` (a Like activity).';
CREATE TABLE "delivered_to" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "object_id" VARCHAR(512) NOT NULL,
    "inbox" VARCHAR(512) NOT NULL,
    "delivered_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_delivered_t_object__e0e4a6" UNIQUE ("object_id", "inbox")
);
COMMENT ON TABLE "delivered_to" IS 'The ledger: `inbox` accepted an activity about `object_id`; later edits and deletes';
CREATE TABLE "deliveries" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "inbox" VARCHAR(512) NOT NULL,
    "host" VARCHAR(255) NOT NULL,
    "activity_id" VARCHAR(512) NOT NULL,
    "object_id" VARCHAR(512),
    "body" TEXT NOT NULL,
    "sender_key_id" VARCHAR(512) NOT NULL,
    "state" VARCHAR(16) NOT NULL,
    "attempts" INT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "next_try_at" TIMESTAMPTZ NOT NULL,
    "locked_until" TIMESTAMPTZ,
    "last_status" INT,
    "error" VARCHAR(500) NOT NULL
);
CREATE INDEX "idx_deliveries_state_d7d653" ON "deliveries" ("state", "next_try_at");
CREATE INDEX "idx_deliveries_object__88e955" ON "deliveries" ("object_id");
COMMENT ON TABLE "deliveries" IS 'One activity to POST to one inbox, signed as `sender_key_id` on every try.';
CREATE TABLE "host_health" (
    "host" VARCHAR(255) NOT NULL PRIMARY KEY,
    "failing_since" TIMESTAMPTZ,
    "last_failure_at" TIMESTAMPTZ,
    "unreachable" BOOL NOT NULL
);
COMMENT ON TABLE "host_health" IS 'Failures per remote host, so a host that has failed for days is skipped until it';
CREATE TABLE "inbox_items" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "activity_id" VARCHAR(512) NOT NULL UNIQUE,
    "signer" VARCHAR(512) NOT NULL,
    "recipient" VARCHAR(255),
    "body" TEXT NOT NULL,
    "state" VARCHAR(16) NOT NULL,
    "attempts" INT NOT NULL,
    "next_try_at" TIMESTAMPTZ NOT NULL,
    "locked_until" TIMESTAMPTZ,
    "error" VARCHAR(500) NOT NULL,
    "received_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX "idx_inbox_items_state_63e1ef" ON "inbox_items" ("state", "next_try_at");
COMMENT ON TABLE "inbox_items" IS 'An activity someone POSTed to us, stored before we answered 202.';
CREATE TABLE "remote_keys" (
    "key_id" VARCHAR(512) NOT NULL PRIMARY KEY,
    "owner" VARCHAR(512) NOT NULL,
    "public_key_pem" TEXT NOT NULL,
    "fetched_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "remote_keys" IS 'A remote actor''s public key, as last fetched.';
ALTER TABLE "actors" ADD "featured_url" VARCHAR(512) NOT NULL DEFAULT '';
ALTER TABLE "accounts" ADD "hide_network" BOOL NOT NULL DEFAULT False;
"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return SQLITE if db.schema_generator.DIALECT == "sqlite" else POSTGRES


async def downgrade(db: BaseDBAsyncClient) -> str:
    return ""


MODELS_STATE = (
    "eJztXVtz2zYW/isYvTSZUTK24zhZ50m2lcZbxcrYyrbTukNBJCxhTQEqQdrWdPPfFwDvJE"
    "iTupli8ZJYBA5EfQeXc8ffnTm1kM3e9kyTesTtnIK/OwTOEf8j29QFHbhYxA3igQsntuwL"
    "/U7yIZww14GmGOwO2gzxRxZipoMXLqZE9O6BBXIYJeBxRgHDU8IAJoB/dmeYAcKH/8T/RN"
    "gBC29iY5OPYyLAm8Z8WOqM34qvsajJvweT6cZG9Aj+y0OGS6eI93X4uH/8yR9jYqEnxMKP"
    "i3vjDiPbSmGFLTGAfG64y4V8doanl8T9LPuK950YJrW9OYn7L5bujJKIAPsoTxFBDnSR+A"
    "bX8QR+xLPtAOoQUv9l4y7+WyZoLHQHPVtwQVD7LxA/6xjG1XBk3PRHhtHJcSikSEAcPDIp"
    "EdzFgtcCgKl4hTf/Ojp69+7D0cG7k4/vjz98eP/x4CPvK9833/Thh/8yMVr+UBKzy58vr0"
    "bihSifQv7cEg9+SBroQp9KMiNG32PIkX/neHA+g46aA0maDB/4D8zyIUS9uYyYwyfDRmTq"
    "zvjHk+MSjP/Tuz7/0rt+dXL8Og30VdByJJsE5DHEC8jYI3UsYwbZrA7OOcLNgB0+iNGO95"
    "qdw330/n0FvHmvQsBlWwZxBz9wQIx7tDQWaJ7HfISeCnYXBWkrUC8BedT/TW4bc8b+spPY"
    "vvra+03CPl8GLYPh1c9h9wQvzgfDswwLMDOgNcdEsbdTaiNICjb3BFkG9wmn2xbw0ZPdIn"
    "82HA5SyJ9dZqH9/vWsf/3qULKBd8Jual+P8Q5e23jADE8w77dU7zR94s0l9Jf8JSExUY4F"
    "6pF2twh4bxszMWY9hnS+fT8bXJ6fBmLKLfl+Nbi8GfUvTkE44i35PBwMhr/2r2/4N1Pbpo"
    "9c9LklF5fX/fPRKbCwg0z3lgyG573BKbCpCe2svFRlUzs8qbCnHZ4UbmmiKc3eCaYGo55j"
    "Kg7q4s0sTbVDFtZkXWN3MYcxAxEBhUpILdvIMpQ73MtC0Wlvt7IZtpBBkMtFn/uaqGdJ9R"
    "FSA3fTQQITA7p51C94i4vnSA17mjIDuhWQvg3/2EPpqcN/oDUk9jJYX2X70OXX/s2o9/Vb"
    "iisXvVFftBylNqLw6avsURANAn69HH0B4iP4fXjVl/BS5k4d+Y1xv9HvHfFO0HOpQegjF6"
    "ISWlT4NEQtxXWpxBt1lfAk1fOqePNVwJ3p4sIMcnefUMXFgwk07x8hV/RSLTGPGGKM/yKm"
    "4FFA+fmXa2RD+bPzHAmsUTf+KHu4/H6E0y98Gi5DAR49okrQ5BTNIzYkaET5PzkhWA1aLx"
    "xlr+ZzEWD8sQMfIyNcahnz385/MfJPh/PezXnvot/5kZqeaahF0/xonn0CCZzKHyxeTbxI"
    "CkmllTSAuMxGyrvUtJB2wdSh3gJQBzDkPGCT901aNcGrsRTwx69FF0ioMFzKrsgptpKuPa"
    "rCUvpHyqJm0TnnWOdPbT9typ7dLbGfwoXy7Cw26kUErbOcvj88qqD28l6Feq9s+6EQTyRI"
    "dUBOUe1Q8f0mN4ltqb9pvN9VgftdMdrvcmA3wxnw0rL+9u3TwRZfA+WYQmNcDePIeFfDfB"
    "DRaLtBHdMzZgsbLo26O0eWrgX2yR3Ma+bN59BZGjN3rpjexbbgLF0L0N61NdhzFIiXnIxO"
    "W4DegZyHyYQ+1UE3ItD4VsGXcSCRZdSGOUu3EtqBTtJM6WMrcFPPrQl0TKEndBWEI/etUX"
    "NbzhFqvKvjzV9iNbwThBrvSngj6Hpi660Ld4ZOo10FbT9mREZ91TPn5Qg13jXxrhugl6Ns"
    "AeK71mTgA3ShU3drSVNpSbDSTJ8haKHaUKepNNSVoLapeV87UCsm0ka/ekY/kz5wYAQK9R"
    "DPkurYOB2jpWO0ymK0zBkk09W4nqLUXN8nrt8h15ytxPU05Qa43jBZYk+YHGKS4/JKQYAT"
    "IamsGQJ4JsbYw1VeGACYypHwRTljokh90SCFIFE+f9edRWKMtgJ0Bx+o53ABbE2QPofjtB"
    "ao0K67Jk5ymHaDhJx1J1OrQZojIsaVbsb1cPrqj9RWoBbr793fWrZ15zMASiLWk2GlUWUO"
    "NZZhmsDziCaKfOylFK3GtEZgvy8vKQL7I0GqOLA/FmqfD+wf+wKeMwY+FRi70Jkid3wq6p"
    "MA/wNgCIlIfIIAvZPPA6qfGJDLJx/av8FxlcH9QUf/d4uxcrH9f3diqIM+gTcpoBWfBA16"
    "WjhhLlDAlgDzgMXh3OzIzhxQ+eGHTh5oZPKAtuYVM6i9dp3Emq619tJ0m8m6fGku73AZxg"
    "xI7bDV8U+RafjXS3vNLYc8Lz5TB+Ep+QUtt52r2VBBrJvJ1kxvAOp8zfw818A+C2xqZVfI"
    "g83ZbitrIHVFa2lpU4nWoQmuRLSOLH0VRGu/lB+QNMgCY3HkjcErSECPEK7emAjwLvgBu8"
    "vXCgm6NrlSUI4ytgW5ToBtzu5dJsPuOAG2YTr0DqJatJJQjH57lYSmlGV5aQ6/iIIgeFkb"
    "+wSRhn5TykFBERctwdYu5JKd3xsAtWW+hCymiQXdJJ3gQpYCKDS6J5tL9QO/pIBRxwLfCw"
    "rZJMrdOOjOY4idAuyyUMbHiP/pIGA5dLHg6gAkFm/mXU2EH6QVndOTqarIzsbH14XJG7zx"
    "l+kVL18jo0GldbZSSUArFsXot0uxqBFvuM2TKw6JUpxbqXip4lMrHZ5V3bJl4/ukYQoM+O"
    "cqJq0KdNqW1ZYzR9uytC1LHznalrX/e5y2ZWlbVtOYoG1Z2paV1Qj8uHaVOhBFvJfoArJP"
    "VUUgDMUfBze/JOM8HcS5KVzXXRHaSbiAb6KF8GRTh7f9F5n8b4WOsJEhlepDOLL/e2sGjf"
    "K5zrm7TryoWGCJ0cO32dj4Wv/R+k9e/2mQwW07NfjkuqkBb0SwwxI30b7V2QnQm78qS+uY"
    "xdC3Wcf0j9cV2J4h1enyTUuXVyVU1lZpM4RardXh8/sDf4lVIakpaMNCqRKc2QJ0AH37A+"
    "jDhHCFhSGRK15sYghS06vGxwg13xX3PsmcUBBSf5IJo1GauwxeEU+gZ2EkguPpHSfxb5+V"
    "lIrQmI0OrbQ5hJY0305Zam5I2eYD05K2B+zl0dItswdox83LiVnacdMUEUu7GDbiYsi5hL"
    "VgtekLOncmV30ryEsM53ixRBXVsKkUbuxC12NvwRhbY4AZEPaXN9SxkMNFnVciQPgtttjr"
    "LmAUEPSImPvmDjtcPOJ9x284kTLGeCODPh9YnJaYPD59Q04+YIYn2MaurFS3puyU8dWkvm"
    "jfxLLmh+U2Qy7Tl45u1VGjL/raapH2vbiXce9LhacPmfxc7hNvnpOyUrCnR2jyxaOdb9/P"
    "Bpfnp8C/HeSWfL8aXN6M+henwCM2Fu7MW/J5OBgMf+1f35yCqCzjLbm4vO6fj04DE8ktGQ"
    "zPe4NTEE25l3doMuo5psJvXHLXY0TRgj2pzHu1jbtR+Ne7iLi1L9jM0jV5vTQefK6hEGVp"
    "2efxT5Dq2V+bAQwRhl38UPdSjxSdvkmlxjmNieGghb3kqqRRW7BXEutkFJ2MoiNGQjYjC6"
    "/G5RShjgpqMo99u+gqTE5Tai43mcsp02YNf2SSTHvFVnZIJmWN2gbgHO1KjGjY4mqEd9Kf"
    "3tqX9rwvLbkPPO+iTEzZDYBb0fnbsAleFdr88k7hy18DXH0fDMq8lfqKojLA0zHQ+oqiWh"
    "fLrAlTyy+VEQsXrzuV2rW9ZYKAp2uCM4LTNk2ebcaV3PhhCh1FaEnY1C2LLmFhmEO3YoAJ"
    "P8SR9QYTMHHoI0POWzCaIWBSeo8RmFH+zgACBxKLzoFL7xH5BB4RuEdoASixl7Is3QyymT"
    "LQZKODr1HJTo5tiJHq2BbTVK2LHDg5rmBSPDkutCiKJn29i85EzFopbMhcgyG+dOrzPUur"
    "Ob9PnA8ulVshYD5Jpy1UG7OMFF3yt4JppOodf01jRPVA4+QcbFKosZCeFeJgIFQXi4Kh3F"
    "5FDBRCDu8PPIYsMFkGSVZdIIOE3piQqcq/VCcrTbeSv6s020r26OpMqz3fqcpExZDFVWXz"
    "aEq0IchoB7WOdTJVUw5lnUy1x/XaLpCNH0SezIiqzuRkc+nZbIUdA+fK82e0MJzYyJoi5x"
    "SMMZnQp3FcUg2SqCQzgBPquWBMJ6LEGodw/AnYfH44QIRzMHlXgA8nyx3oW/iOWyJvC4Yu"
    "8DuDKQUuBYj/+CWQXwG4QMB/L6Gub/NxRQcLLn9icZRysRARvUJHzmk+nq413ZxtsOzET3"
    "Gu6rGfImrh2b+VOD9/WdRAOSLQCFdDON7OVwrAStG20OS1JyauwhisnDT3osLHskTyWFYS"
    "O3DVyyOGJL7rQRzM34Y3I/E/5c/lJtENfDwAMjBmiE8vx7hHSyES8E7BMe86y7zxYLND10"
    "xGjupKEvTkGnwQsfY2mIMcH1PaVNE6wUUfp9s+TmdKFbkY4LB/C/HdijEo3HfrJtGnyVqI"
    "9lZm8wspOg0LNdoB0BNqKVK9ixMmw/6tmMgvkCcZS2R1ZnaOsBXw6+rpPpoLzt0g+Xj7MG"
    "++1AB0XTRfqIKvi4MXEiS785IcbFfEPjo8/nD88d3JcSRZR0/KBOp8zowOAVtpx94Hq0iS"
    "zUk9uiafM6Sa0Y1mtLgsmy9Kj7hYURzkmeC+DK1ONm00p2UopiwVWOM0zFC1KMlxY0cich"
    "xVumKxHBcRtKCcS0ZOPjioIicfHBTLyaJNEW/xMhb6L3wNfkHQlj8uZ6NPtHbLrPTCnGXM"
    "4o7Pmuk/Q2x7fOmDBRJ3q82pK7IrRCAeowDKP30f/AwyPga2kQXuqAMsuGSiqCe7x4sFfy"
    "Z3ZoDdnLF+019wSyBhwrEP4JRPjXXTO17WXtiglI4NWguL7d+Cv/yVDIaJqipbuQyQI9ZC"
    "QOOFgDt/9a+azpEm1/xuMr89wrVucyaBzvG6tP5ZhlJXQHumAlpDJJZL4Zu8dNFcJbDEja"
    "XyivRvGvzXzWtdE+O7/hmdI+HzF/5/LiG4FHiMixUuFcXIJ4hLEUjkhPryAn90dHBUdDnM"
    "egO+dAiB9vY30tvfJF9pgyTN7Xg4RMBPLdU4ptBepGoYO8jEC4xUWYHFMKeI2ueN3kqQhf"
    "ZG79IbvQ++Ub6KEH5Ae3uxtHaObtgSrL1m/xC1WnvN/imc1s6dzTt3MuKrPENX2DIzpHrL"
    "bNxCaohN7Fo6uH5BykSbuLFbZhPznWQiyrFyDY7AryZvPPyJBTf5AD5CV6TACFM6uEOuOV"
    "OX4qhJvYa3rX7I56ZjPdtpBylJlX2saRaJCFqhTO7AKuIvFxmUvPDN3VXV9jxlKzDftQIf"
    "7E0rHOtpSn2q61Ndfar3kINNZVxO0FJ6nsO4z3NHeTFj1zh0VQfuP8UDtKa9pfhcfUBOWF"
    "G36smaIGnFPr+LbEO+qGogHHRvIbqHlRTiwxKF+DCvEAe3/uUR/vfN8KogsyImyR6X2HTB"
    "/4C4MHQP0S4BV4BRLrNkxZPM4ScGOHvpsI0f/wcbFT9w"
)
