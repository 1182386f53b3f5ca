"""Federation tables (inbox queue, delivery queue and ledger, host health, remote keys),
the featured collection URL of actors and the hide-network preference of accounts.
SQL for both dialects: see 0_…_init.py."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
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
    "eJztXVtz2zYW/isYvTSdcTK24zhZ98l2nMZbx8rYyrbTpkNBJCxhTQEqAdnRZP3fFwBJ8Q"
    "ZShG6mGLwkFokDkt8BcA7ODd87Y+ohn706dV06JbxzAr53CBwj8Uf+1h7owMkkuSEvcDjw"
    "VVsYNlIX4YDxALqyszvoMyQueYi5AZ5wTIlsfQomKGCUgMcRBQwPCQOYAPGbjzADRHT/i/"
    "gT4QBMpgMfu6IfFwFxqy+6pUH/lXyMR13xHEyGa+txSvA/U+RwOkSibSD6/etvcRkTD31D"
    "LP45uXfuMPK9DFbYkx2o6w6fTdS1Mzy8JPyDaivfd+C41J+OSdJ+MuMjSuYEOER5iAgKIE"
    "fyCTyYSvzI1PcjqGNIw5dNmoRvmaLx0B2c+pILkjp8geRax3Guuz3n9qLnOJ0Ch2KKFMTR"
    "JZcSyV0seS0BGMpXePmvw8PXr98e7r8+fvfm6O3bN+/234m26n2Lt94+hS+ToBV2pTC7/P"
    "XyuidfiIohFI4teeFJ0UAOQyrFjAT9KUOB+rvAg/MRDPQcSNPk+CA+MM+HGPXmMmIMvzk+"
    "IkM+Ej+Pjyow/s/pzfnH05sXx0c/Z4G+ju4cqlsS8gTiCWTskQaeM4JsZIJzgXA9YMcXEr"
    "STtWbrcB++eVMDb9GqFHB1L4d4gB8EIM49mjkTNC5i3kPfSlYXDWkrUK8AuXfxh1o2xoz9"
    "46exffHp9A8F+3gW3bnqXv8aN0/x4vyqe5ZjAWYO9MaYaNZ2Sn0EScniniLL4T4QdJsCfn"
    "5lu8ifdbtXGeTPLvPQfvl0dnHz4kCxQTTCPLOuJ3hHr+08YIYHWLSb6VeaCzIdK+gvxUtC"
    "4qICC/Q9bW8SiNY+ZrJPM4Z0Pn85u7o8P4nUlK/ky/XV5W3v4v0JiHv8Sj50r666v1/c3I"
    "onU9+nj0L1+UreX95cnPdOgIcD5PKv5Kp7fnp1AnzqQj+vL9VZ1A6Oa6xpB8elS5q8lWXv"
    "AFOH0WngagR1+WKWpdoiCw1Z19hVLGDMQURCoVNSqxayHOUW17JYddrZpWyEPeQQxIXqc2"
    "+Iep7UihAD3N0ASUwcyIuovxd3OB4jPexZyhzoXkT6Kv5jB7WnjvhAr0v8WTS/qtahy08X"
    "t73TT58zXHl/2ruQdw4zC1F89UVeFMw7Ab9f9j4C+RP82b2+UPBSxoeBemLSrvdnR74TnH"
    "LqEPoolKjULiq+GqOW4braxDumm/A01eKtePO3gFvbi0szyN19aisuLwyge/8IxUYvcyfh"
    "EUOMiS9iGh5FlB9+u0E+VJ9d5EhkjboNe9nB6fcUD7/4ajwNJXj0kGpBU0O0iFiXoB4V/x"
    "SUYD1op3EvOzWeywATlwP4ODfCZaax+HbxxSiUDuent+en7y86T5nhmYVa3hofjvNXIIFD"
    "9cHy1eSLZJDUWkkjiKtspKKJoYV0DwwDOp0AGgCGggfsirZpqyZ40VcKfv9n2QQSKg2Xqi"
    "kKyq2kK/eqsZT+lbGoeXQsONb529pPm7Jm71XYT+FEKzvLjXpzgtZZTt8cHNbY9opWpfte"
    "de9Jo54okExAzlBtceP7WS0Sm9r+ZvF+XQfu1+Vovy6A3QxnwHPr+pu3T0dLvAHKCYXFuB"
    "7Gc+OdgflgTmPtBiamZ8wmPpw5pitHnq4F9sktjGs2HY9hMHNGfKwZ3uW24DxdC9DetjV4"
    "GmgQr5CMQVuA3oKeh8mAfjNBd05g8a2DLxNAIs8xhjlPtxTa0Z6kmdrHRuCmU24IdEJhB3"
    "QdhOfuW8dwWS4QWrzr4y1eYjm8U4QW71p4I8incuk1hTtHZ9Gug3YYM6KivszMeQVCi7ch"
    "3qYBegXKFiC+7Z0MfIAcBqZLS5bKaoK1RvoIQQ8ZQ52lslDXgtqn7r1xoFZCZI1+ZkY/lz"
    "4IYCQKZojnSW1snI3RsjFaVTFa7giS4XJcz1Baru8S1+8Qd0dLcT1LuQauN0yX2BEmx5gU"
    "uLxUEOBAaiorhgCeyT52cJaXBgBmciRCVc4ZaFJfLEh5M95qGH1Q3bQbJBSsONvaDdIYEd"
    "mvcg6thtOnsKe2AiUlxooj6bPook3wFOO2K+KM08GA83oKeizj4O7FiKZKM+yk7qPH1CAc"
    "O5RymnDsufgrD8dOVJHF4dj9UCwHfRBSgT6HwRDx/omsKgHCH4AhJOOnCQL0Tl2PqH5iQE"
    "2fYkD2GvvVhmRHDcPvln0VIrK/dxKoozaRDyCilb8kDfo2CeIMjogtEeYRi+Ox2VGNBaDq"
    "x5MN+W5kyLe1wZQzqL278dScNpp7Wbr15Mo9N5e3OA0TBmRW2Pr4Z8gs/KslKxamQ5EXH2"
    "iA8JD8hmabzrBrqCK2l8uxyy4A+iy74ji3wC4ENjOza2QvFixutXcghqp1tO/X6NaJRaBc"
    "uQ6ND3W169hU0Y/qmaT14AAJfsq6J3tS9SVAbJ/QRPyUmYkB+i9yxd8axXotXWp16rjnpZ"
    "RqMdwFd1fRp+UsS/Uev83a+rf6eiP19S2naObtBW3P0AznjQG8c4ItBm7N163OVoBefwEo"
    "u+ksh769m85YvC7B9hypdQI3zQmsczgZ725zhHZ/a80LuwN/hXkhvVOw2+DKbXBuCbAGhv"
    "YbGGKHucbCkPKll5sYItd93YJKcpvPZTUj5TMDMbUqCw/mYQAABkhdgVMPIzFwpMsNRjVV"
    "FaWmqtJau9baHCaR6zwsB1ZpbsgUtRNk1n+3s6Jlr8oe0JCKhz+MnM8HwxhjnyKy0K9LxY"
    "oXxhWVgJaFJuV1gNTQW6xZlZSctIrVamUnt6ZXqbGsUariMV6uUc1j/OrUp5QG0Cl7BfrY"
    "68uDdKT95SUNPBQIVeeFrCL5Cnvs5z3AKCDoETH+8g4HQj2Sh+68FES68pTr6XTxOT5ZjW"
    "kqhm/MyeyBASvqTjlfTeZBu6aW1Zm5Vi+zpTQ37Kix5as2mnq8E9UGdz4BdvXzbZ7rXBvz"
    "xaPVJ9qYn2ZjT7JZoeKHeDxHhBuXjczTNXm+NB58sUMh2tS7xfinSO3oN2YAQ4Rhjh9MS1"
    "Vk6Gx9EAM5jYkToIk/E1tJx1ix1xLbIji1NFEbKLTUqrNrESPIw8txOUNoo4KazOPQLroM"
    "k7OUlstN5nLGtGngj0yTWa/Y0g7JtK5hbAAu0C7FiIZNrkZ4J8PhbX1pi31p6XVgsYsyNW"
    "TXAG5N52/DBnhdaIvTO4OveA1w/eXqqspbWSiXsmIhkJaXSpFwY7SdYik7MihzoZvDFcHp"
    "wWGbBs8mowHi81I1AQGpo1TLYwLSp7bWCgsQSy/yXmICBgF9ZCh4BXojBFxK7zECIyreGU"
    "AQQOLRMeD0HpFfwCMC9whNACX+DGDOwAiykTY8YK2dLw4TKHWyq74d2ZOJRShL1Tp/7/FR"
    "DUPQ8VGpHUjeskVLbP5Yfm/pQ8YdhsTUMed7ntZyfpc4H5VKWyLMOU1n7Qpr28+Wla5bYk"
    "Nbt3Jd0xhRPzw0PQabFCAqtWeNOhgp1eWqYKy311EDpZIj2oMpQx4YzKLUmD2gQjteupDp"
    "inbUJ6tMklHfVZkjMz+s0+bH7PJKVaUqmp7jak9/NjvB1abANEUo2xSYtaTAPI8sfo98/C"
    "CzG3pUJ5PTtytlsxc3jEzii2W0NJz4yBui4AT01cmo/aQQFlQprfgBcyGDB3TKQZ8OZGEs"
    "AWH/F+CL8REA6YRnoqkHQjhZQaBv4BlfiaqBCzkIG4MhBZwCJD5+BtQjgFAIxPcSykObD5"
    "cNPDj7iSWxpeVKxPwVOnvx8bx5VcJK/EZK/Azn6or9DFELZf8Pe8z1biOcLOdLhc1kaFto"
    "8toRE1dp5ExBm3tW5WNWoXnMaqkdkbdzsdLRJSgR+kIwf+7e9uT/sra9WiT2Ih8PgAz0GS"
    "Ly/MjwWNq+aBSJeR7MisaD9XZtmEI6rwZI0DfuiE7k3Ftj5mgipqyponWKixWnGz++VrtF"
    "rji4NmrfQnw3YgyK113T1OcsWQvR3shofqaNTsNCjbYA9IB6mgTd8jS3uH0rBvIzZLclGp"
    "nJyC4QtgJ+W/M6RHMiuBuljG4e5vUniEPO0XiiOzmvPHghRbI9L8n+ZlXsw4Ojt0fvXh8f"
    "zTXr+ZUqhdqeHf4DWUXSbE7vow35nCO1jG40o6PjjqeEY01JhwXBfTlamyLYaE6rUExV4M"
    "1AGuaoWpSatjaRiIJAl2RWrsfNCVpQhCOnJ+/v19GT9/fL9WR5TxNv8TwW+o9iDn5E0Fcf"
    "V7DRp+7uVVnppTnLGSUNF5rpP0DsT8XUBxMkT8QaUy6zK2QgHqMAqj9DH/wIMtEH9pEH7m"
    "gAPDhjshQju8eTibimVmaAecFYv+4HfCWQMOnYB3Aohsaq6R3Pay9sUErHGq2F5fZvyV/x"
    "Sg7DRFdLq1oHKBBbJaDxSsBdOPuXTefIklt+N5nfUyJ23e5IAV3gdWXVqhylrVu1oG5VQz"
    "SWS+mbvORorFNYkpuV+orybzri68ZGh3uErn9Gx0j6/KX/X2gInIIpE2oFp7KE9AAJLQLJ"
    "nNBQXxCXDvcPy470WK3D5w4hsN7+Rnr7m+QrbZCmuRkPhwz4MdoaJxTWi1QP4wC5eIKRLi"
    "uwHOYMUfu80RsJsrDe6G16o3fBNypmEcIPaGePA7bO0TVbgq3X7AfZVluv2Y/CaevcWb9z"
    "J6e+Khm6xJKZI7VLZuMmUkNsYjfKwfUb0ibaJDf3qmxioZNMRjnWrsER+dXUOXU/sej8FS"
    "B62JMpMNKUDu4Qd0f6UhyG1Ct428xDPtcd69lOO0hFquyjoVlkTtCKzeQWrCLhdFFByZPQ"
    "3F13216kbAXm297AR2vTEmI9S2mlupXqeql+igLsauNyojuV8hwmbRaJ8nLGriB0dQL3R/"
    "EArWhvKZerDyiIK+rWlawpklas89vINhSTygDhqHkL0T2otSE+qNgQHxQ3xNFZbUWE/33b"
    "vS7JrEhI8uISuxz8D8hjHncQ7QpwJRjVOktePckJP9nB2XOHbTz9H6/K4AY="
)
