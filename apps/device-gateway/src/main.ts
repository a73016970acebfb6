import "reflect-metadata";
import { runService } from "@statecast/platform";
import { AppModule } from "./app.module.js";
import { loadGatewayConfig } from "./config/gateway.config.js";

await runService({
  name: "device-gateway",
  loadConfig: () => loadGatewayConfig(process.env),
  module: (config) => AppModule.register(config),
});
