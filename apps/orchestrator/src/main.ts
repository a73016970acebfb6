import "reflect-metadata";
import { runService } from "@statecast/platform";
import { AppModule } from "./app.module.js";
import { loadOrchestratorConfig } from "./config/orchestrator.config.js";
import { setupOpenApi } from "./openapi/openapi.js";

await runService({
  name: "orchestrator",
  loadConfig: () => loadOrchestratorConfig(process.env),
  module: (config) => AppModule.register(config),
  configure: setupOpenApi,
});
