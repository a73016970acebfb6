import { type DynamicModule, Logger, Module } from "@nestjs/common";
import { eventStoreMigrations, type Migration, migrate } from "@statecast/events";
import { PlatformModule } from "@statecast/platform";
import type pg from "pg";
import type { OrchestratorConfig } from "./config/orchestrator.config.js";

/** Every schema change the orchestrator owns, in order: add a package's list after those it needs. */
const migrations: readonly Migration[] = [...eventStoreMigrations];

/** Brings the schema up to date before any feature module gets the pool. */
async function migrateDatabase(pool: pg.Pool): Promise<void> {
  const applied = await migrate(pool, migrations);
  if (applied.length > 0) new Logger("Migrations").log(`applied ${applied.join(", ")}`);
}

@Module({})
export class AppModule {
  static register(config: OrchestratorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          serviceName: "orchestrator",
          config,
          prepareDatabase: migrateDatabase,
        }),
        // Feature modules, one line each:
      ],
    };
  }
}
