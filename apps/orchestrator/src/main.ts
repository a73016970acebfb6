import "reflect-metadata";
import { runService } from "@statecast/platform";
import { AppModule } from "./app.module.js";
import { loadOrchestratorConfig } from "./config/orchestrator.config.js";
import { configureOperatorApi } from "./openapi/openapi.js";

await runService({
  name: "orchestrator",
  loadConfig: () => loadOrchestratorConfig(process.env),
  module: (config) => AppModule.register(config),
  configure: configureOperatorApi,
});
