export { createTestDatabase, type TestDatabase } from "./database.js";
export { startTestNats, type TestNats } from "./nats.js";
export {
  indexDefinitions,
  type TableUpdates,
  tableUpdates,
  untilTableUpdates,
} from "./table-stats.js";
