"""Federation tables (inbox queue, delivery queue and ledger, host health, remote keys),
the featured collection URL of actors and the hide-network preference of accounts.
SQL for both dialects: see 0_…_init.py."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
CREATE TABLE "domain_blocks" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "domain" VARCHAR(255) NOT NULL UNIQUE,
    "created_at" TIMESTAMP NOT NULL
) /* A server this node refuses: its activities are dropped and it receives nothing. */;
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
    "eJztXVtz2zYW/isYvTSdcTK+xcm6T/IljbeOlbGVbadNh4JIWMKaAlQCtKPJ+r8vAJLinS"
    "J0M8XgJbFIHJD8DoBzcG743plQB7nsTde2qU945xR87xA4QeKP7K090IHTaXxDXuBw6Kq2"
    "MGikLsIh4x60ZWf30GVIXHIQsz085ZgS2boLpshjlICnMQUMjwgDmADxm48xA0R0/4v4E2"
    "EPTP2hi23Rj42AuDUQ3VJv8EY+xqG2eA4mo7X16BP8j48sTkdItPVEv3/9LS5j4qBviEU/"
    "pw/WPUauk8IKO7IDdd3is6m6doZHV4R/UG3l+w4tm7r+hMTtpzM+pmROgAOUR4ggD3Ikn8"
    "A9X+JHfNcNoY4gDV42bhK8ZYLGQffQdyUXJHXwAvG1jmXd9PrW3WXfsjo5DkUUCYjDSzYl"
    "krtY8loCMJKv8Ppfh4dHR+8O949O3r89fvfu7fv996Ktet/8rXfPwcvEaAVdKcyufr266c"
    "sXomIIBWNLXnhWNJDDgEoxI0bfZ8hTf+d4cD6GXjEHkjQZPogPzPIhQr25jJjAb5aLyIiP"
    "xc+T4wqM/9O9Pf/YvX11cvxzGuib8M6huiUhjyGeQsaeqOdYY8jGOjjnCNcDdnQhRjtea7"
    "YO9+HbtzXwFq1KAVf3Moh7+FEAYj2gmTVFkzzmffStZHUpIG0F6hUg9y//UMvGhLF/3CS2"
    "rz51/1CwT2bhneveza9R8wQvzq97ZxkWYGZBZ4JJwdpOqYsgKVncE2QZ3IeCblPAz69sF/"
    "mzXu86hfzZVRbaL5/OLm9fHSg2iEaYp9b1GO/wta1HzPAQi3az4pXmkvgTBf2VeElIbJRj"
    "QXFP25sEorWLmexTjyGdz1/Orq/OT0M15Sv5cnN9dde/vDgFUY9fyYfe9XXv98vbO/Fk6r"
    "r0Sag+X8nF1e3lef8UONhDNv9Krnvn3etT4FIbull9qc6idnBSY007OCld0uStNHuHmFqM"
    "+p5dIKjLF7M01RZZqMm6xq5iHmMWIhKKIiW1aiHLUG5xLYtUp51dysbYQRZBXKg+D5qoZ0"
    "mNCNHA3faQxMSCPI/6hbjD8QQVw56mzIDuhKRvoj92UHvqiA90esSdhfOrah26+nR51+9+"
    "+pziykW3fynvHKYWoujqq6womHcCfr/qfwTyJ/izd3Op4KWMjzz1xLhd/8+OfCfoc2oR+i"
    "SUqMQuKroaoZbiutrEW7qb8CTV4q1487eAW9uLSzPI/UNiKy4vDKH98ATFRi91J+YRQ4yJ"
    "L2IFPAopP/x2i1yoPjvPkdAadRf0soPT7zkaftHVaBpK8OghLQRNDdE8Yj2C+lT8k1OCi0"
    "HrRr3s1HguA0xc9uDT3AiXmsbi28UXo0A6nHfvzrsXl53n1PBMQy1vTQ4n2SuQwJH6YPlq"
    "8kVSSBZaSUOIq2ykoommhXQPjDzqTwH1AEPeI7ZF26RVE7waKAV/8LNsAgmVhkvVFHnlVt"
    "KVey2wlP6Vsqg5dCI41vnb2E+bsmbvVdhP4bRQdpYb9eYErbOcvj04rLHtFa1K973q3nOB"
    "eqJA0gE5RbXFje9ntUhsavubxvuoDtxH5Wgf5cBuhjPgpXX9zdunwyVeA+WYwmBcD+O58U"
    "7DfDCnMXYDHdMzZlMXzizdlSNL1wL75BbGNfMnE+jNrDGfFAzvcltwlq4FaG/bGux7BYhX"
    "SEavLUBvQc/DZEi/6aA7JzD41sGXCSCRY2nDnKVbCu1wT9JM7WMjcFOfawIdU5gBXQfhuf"
    "vW0lyWc4QG7/p4i5dYDu8EocG7Ft4Icl8uvbpwZ+gM2nXQDmJGVNSXnjkvR2jw1sRbN0Av"
    "R9kCxLe9k4GPkENPd2lJUxlNsNZIHyPoIG2o01QG6lpQu9R+0A7UiomM0U/P6GfTRwGMRE"
    "EP8SypiY0zMVomRqsqRsseQzJajuspSsP1XeL6PeL2eCmupynXwPWG6RI7wuQIkxyXlwoC"
    "HEpNZcUQwDPZxw7O8tIAwFSORKDKWcOC1BcDUtaMtxpGH1Q37QYJeSvOtnaDNEFE9qucQ6"
    "vh9Cnoqa1ASYmx4kj6LLpoEzz5uO2KOONkMOC8nkIxllFw92JEE6UZdlL3KcZUIxw7kHIF"
    "4dhz8Vcejh2rIovDsQeBWPYGIKACAw69EeKDU1lVAgQ/AENIxk8TBOi9uh5S/cSAmj75gO"
    "w19lsYkh02DL5b9pWLyP7eiaEO24Q+gJBW/pI06NvUizI4QraEmIcsjsZmRzUWgKofzybk"
    "u5Eh38YGU86g9u7GE3Naa+6l6daTK/fSXN7iNIwZkFph6+OfIjPwr5asmJsOeV58oB7CI/"
    "Ibmm06w66hitheJscuvQAUZ9nlx7kBdiGwqZldI3sxZ3GrvQPRVK0vVLJGqYKdvF2pZgdJ"
    "H5aOtt0NUw0TCYkeuvcZYqcAcwYEMX7EHAutGHoIOB6dTpEDIHHEbdHURvhRacyCnoyK0i"
    "DX3r8pHddgCVClB798FlODkh83kuthdhrl6Ldrp6HhEdqk5Aot1gVCK7Zll8urwGxe1y4U"
    "GdkHYSWupAXHQ2KQyYpde9JoQ4RYsdFU/JQ59R76L7LF3wUmobV0WWgNinpeyhwkFDWhl6"
    "xiCZKLQqL36G3W1r+RsI2UsFsuLpC1dDdIvG4mJ0rNGw145wRbDDmer1udrQC9/tKFRon5"
    "UZSYdN2OQLwuwfYMqQlfalr4UlGohLZdNkNoLLPGML478FcYxpM7BWPArTTgZpYAYxpvv2"
    "k8CvUqsDAkosDKTQxh0Flda7jc5nNZh09Fe4CIWh1oAuYBbMpULa9A38FIDBwZLALDauCK"
    "ssAQvtauC20O0zDoKyhkWWluSJVjFWQm8mRnRctelT2gIbV6fxg5nw3j1MY+QWSgX5eKFS"
    "2MKyoBLQuqzeoAiaG3WLMqKZZsFKvVCiZvTa9SY7lAqYrGeLlGNY9OrxVcwCH32RswwM5A"
    "HgEn7S+vqecgT6g6r2Q4wBvssJ/3AKOAoCfE+Ot77An1SB4X91oQFUYUrKXTxWEEaY3JF8"
    "M34mT6qJsVdaeMryb1oF1Ty5rvhG+GXmaKQG/UUWMKL260aMZO1Mnd+dINq5/M9lInsukv"
    "Hq0+i03/HDZzBtsKtarE4zkiXLvgcZauyfOl8eCLHQopTBpfjH+C1Ix+bQYwRBjm+FG3yF"
    "KKzlS20pDTmFgemrozsZW0tBX7QmJTvq2WJmoChZZadXYtYgQ5eDkupwhNVFCTeRzYRZdh"
    "cprScLnJXE6ZNjX8kUky4xVb2iGZ1DW0DcA52qUY0bDJ1QjvZDC8jS9tsS8tuQ4sdlEmhu"
    "wawK3p/G3YAK8LbX56p/AVrwFuvlxfV3krc4W+Vixh1fIiXxJujLZT5mtHBmUmdHO0Ijh9"
    "OGrT4NlkNEB00ndBQEDiEPDymIDkeeO1wgLE0ouc15iAoUefGPLegP4YAZvSB4zAmIp3Bh"
    "B4kDh0Ajh9QOQX8ITAA0JTQIk7U6UDxpCNC8MD1tr5CtUGVN+W7EnHIpSmap2/9+S4hiHo"
    "5LjUDiRvmXJbJn8su7d0IeMWQ2Lq6PM9S2s4v0ucD4t8LhHmnKQzdoW17WfLiq4usaGtW3"
    "O1aYyoHx6aHINNChCV2nOBOhgq1eWqYKS311EDpZIj2gOfIQcMZ2FqzB5QoR2vbciKinbU"
    "J6tMklHfVZkjMz9m2uTH7PJKVaUq6p5Avv2Tx7eml2+kHpVJgWmKUDYpMGtJgXkZWXyBXP"
    "wosxv6tEgmJ29XymYnahiaxBfLaGk4cZEzQt4pGKgzvQdxISxIovKNQgYPqc/BgA5lYSwB"
    "4eAX4Irx4QHphGeqnmMAJ8sJ9A084ytR1dshB0FjMKKAU4DEx8+AegQQCoH4XkJ5YPPhso"
    "EDZz+xOLa0XImYv0JnLzpYPqtKGInfSImf4lxdsZ8iaqHs30h0VjAtNFCeExiE6yEcL+dL"
    "hc2kaFto8toRE1dp5ExOm3tR5WNWoXnMaqkdobdzsdLRIygW+kIwf+7d9eX/8lQWtUjshT"
    "4eABkYMETkycfBgeoD0SgU89yb5Y0H6+1aM4V0Xg2QoG/cEp3IubfGzNFYTBlTResUFyNO"
    "N37weuEWueLI9bB9C/HdiDEoWnd1U5/TZC1EeyOj+YU2Og0LNdoC0EPqFCTolqe5Re1bMZ"
    "BfILst1sh0RnaOsBXwm5rXAZpTwd0wZXTzMK8/QRxyjibTojNfy4MXEiTb85Lsb1bFPjw4"
    "fnf8/ujkeK5Zz69UKdT5TAcTArbUir0LVpEkm5P7aE0+Z0gNoxvNaHUinmP5hOOCkg4Lgv"
    "sytCZFsNGcVqGYqsCbhjTMULUoNW1tIhF5XlGSWbkeNydoQRGOjJ68v19HT97fL9eT5b2C"
    "eIuXsdB/FHPwI4Ku+ricjT5xd6/KSi/NWdY4brjQTP8BYtcXUx9MkTwRa0K5zK6QgXiMAq"
    "j+DHzwY8hEH9hFDrinHnDgjMlSjOwBq7Me1coMMM8Z69f9gK8EEiYd+wCOxNBYNb3jZe2F"
    "DUrpWKO1sNz+LfkrXslimBTV0qrWAXLERglovBJwH8z+ZdM50uSG303mt0/ErtseK6BzvK"
    "6sWpWhNHWrFtStaojGciV9k1ccTYoUlvhmpb6i/JuW+LqJ1uEegeuf0QmSPn/p/xcaAqfA"
    "Z0Kt4FSWkB4ioUUgmRMa6Avi0uH+YdmRHqt1+NIhBMbb30hvf5N8pQ3SNDfj4ZABP1pb45"
    "jCeJHqYewhG08xKsoKLIc5RdQ+b/RGgiyMN3qb3uhd8I2KWYTwI9rZ44CNc3TNlmDjNftB"
    "ttXGa/ajcNo4d9bv3Mmor0qGLrFkZkjNktm4idQQm9itcnD9hgoTbeKbe1U2scBJJqMca9"
    "fgCP1q6py6n1h4/goQPezJFBhpSgf3iNvj4lIcmtQreNv0Qz7XHevZTjtIRarsk6ZZZE7Q"
    "is3kFqwiwXRRQcnTwNxdd9uep2wF5tvewIdr0xJiPU1ppLqR6sVSvYs8bBfG5YR3KuU5jN"
    "ssEuXljF1B6BYJ3B/FA7SivaVcrj4iL6qoW1eyJkhasc5vI9tQTCoNhMPmLUT3oNaG+KBi"
    "Q3yQ3xCHZ7XlEf73Xe+mJLMiJsmKS2xz8D8gj3ncQbQrwJVgVOssWfUkI/xkB2cvHbbx/H"
    "9GQwjB"
)
