import { ensureAdminToken } from "./admin-token.js";
import type { LauncherConfig } from "./config/launcher.config.js";
import { prepareDataDir } from "./data-dir.js";
import { prepareDeviceEnrollment } from "./device-enrollment.js";
import { startDatabase } from "./embedded-database.js";
import { startNats } from "./embedded-nats.js";
import { startService } from "./services.js";
import { formatSummary } from "./summary.js";

export interface Launched {
  /** Settles when a service exits on its own (a crash), with what happened. */
  readonly serviceExit: Promise<string>;
  /** Stops the services, then NATS, then Postgres. */
  stop(): Promise<void>;
}

export interface LaunchIo {
  env: Record<string, string | undefined>;
  print: (line: string) => void;
}

/**
 * Each step starts one thing and pushes how to stop it; a failed step stops what is already
 * running, in reverse order, before the error surfaces.
 */
export async function launch(config: LauncherConfig, io: LaunchIo): Promise<Launched> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse().splice(0)) {
      await stop().catch((err: unknown) => io.print(`[launcher] stop failed: ${String(err)}`));
    }
  };
  try {
    const clusterDir = prepareDataDir(config.dataDir, !config.databaseUrl);
    const adminToken = ensureAdminToken(config.dataDir, config.adminToken);
    io.print("[launcher] starting Postgres");
    let began = Date.now();
    const took = () => `${((Date.now() - began) / 1000).toFixed(1)} s`;
    const database = await startDatabase(config, clusterDir);
    io.print(`[launcher] Postgres ready: ${database.description} (${took()})`);
    stops.push(() => database.stop());
    io.print("[launcher] starting NATS");
    began = Date.now();
    const nats = await startNats(config, (line) => io.print(`[nats] ${line}`));
    io.print(`[launcher] NATS ready: ${nats.description} (${took()})`);
    stops.push(() => nats.stop());
    const env = {
      base: io.env,
      databaseUrl: database.url,
      natsUrl: nats.url,
      adminToken: adminToken.token,
      natsAuth: nats.auth,
    };
    // The orchestrator migrates the schema: the gateway starts once it is ready.
    io.print("[launcher] starting the orchestrator");
    began = Date.now();
    const orchestrator = await startService(
      { name: "orchestrator", port: config.orchestratorPort },
      config,
      env,
      io.print,
    );
    stops.push(() => orchestrator.process.stop());
    io.print(`[launcher] orchestrator ready: ${orchestrator.url} (${took()})`);
    io.print("[launcher] starting the device gateway");
    began = Date.now();
    const gateway = await startService(
      { name: "device-gateway", port: config.gatewayPort },
      config,
      env,
      io.print,
    );
    stops.push(() => gateway.process.stop());
    io.print(`[launcher] device gateway ready: ${gateway.url} (${took()})`);
    const enrollment = nats.auth
      ? await prepareDeviceEnrollment({
          dataDir: config.dataDir,
          auth: nats.auth,
          orchestratorUrl: orchestrator.url,
          adminToken: adminToken.token,
        })
      : undefined;
    io.print(
      formatSummary({
        dataDir: config.dataDir,
        database,
        nats,
        orchestrator,
        gateway,
        adminToken,
        enrollment,
      }),
    );
    const serviceExit = Promise.race([
      orchestrator.process.exited.then((how) => `orchestrator stopped (${how})`),
      gateway.process.exited.then((how) => `device-gateway stopped (${how})`),
    ]);
    return { serviceExit, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
