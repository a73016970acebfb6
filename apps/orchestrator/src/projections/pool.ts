// The Postgres pool provided by the platform's DatabaseModule.
export { PG_POOL } from "@statecast/platform";
