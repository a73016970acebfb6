export {
  type EmbeddedPostgresOptions,
  type RunningPostgres,
  startEmbeddedPostgres,
} from "./embedded-postgres.js";
export { freePort } from "./free-port.js";
export {
  type NatsServer,
  type NatsServerOptions,
  natsServerBinary,
  startNatsServer,
} from "./nats-server.js";
export { postgresBinaries, SHARED_BINARIES_DIR } from "./postgres-binaries.js";
export { reachableByOthers } from "./reachable.js";
export { waitForPort } from "./wait.js";
