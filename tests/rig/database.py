"""A fresh database per test: a new SQLite file, or an emptied PostgreSQL schema when
DATABASE_URL points at PostgreSQL (the test database is created if missing)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import asyncpg


def postgres_url() -> str | None:
    """Return the PostgreSQL URL the suite should run against, or None for SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def database_name(url: str) -> str:
    return urlsplit(url).path.strip("/")


async def create_database(url: str) -> None:
    """Create the database `url` names if it does not exist."""
    admin = await asyncpg.connect(_with_database(url, "postgres").replace("postgres://", "postgresql://", 1))
    try:
        name = database_name(url)
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def drop_database(url: str) -> None:
    admin = await asyncpg.connect(_with_database(url, "postgres").replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')
    finally:
        await admin.close()


async def empty_schema(url: str) -> None:
    """Drop every table of the database `url` names (creating the database if needed)."""
    await create_database(url)
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
