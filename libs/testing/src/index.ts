export { createTestDatabase, type TestDatabase } from "./database.js";
export { startTestNats, type TestNats } from "./nats.js";
