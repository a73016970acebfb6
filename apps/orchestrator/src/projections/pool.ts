// The Postgres pool provided by the platform's DatabaseModule, re-exported under one local name.
export const PG_POOL = Symbol("PG_POOL");
