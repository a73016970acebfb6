import { randomUUID } from "node:crypto";
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from "@nestjs/common";
import { ObjectGc } from "./object-gc.js";

export const OBJECT_GC_ACTOR = "system:object-gc";

/** Runs a collection pass every `intervalSeconds` (none when 0); a pass never overlaps the next. */
@Injectable()
export class ObjectGcScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger("ObjectGc");
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(@Inject(ObjectGc) private readonly gc: ObjectGc) {}

  onApplicationBootstrap(): void {
    const every = this.gc.intervalSeconds;
    if (every <= 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.pass().finally(() => {
        this.running = undefined;
      });
    }, every * 1000);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async pass(): Promise<void> {
    const id = randomUUID();
    try {
      const result = await this.gc.collect({
        dryRun: false,
        record: "when-removed",
        metadata: {
          actor: OBJECT_GC_ACTOR,
          correlationId: id,
          causationId: id,
          now: new Date().toISOString(),
        },
      });
      if (result.removed > 0) {
        this.logger.log(`collected ${result.removed} unreferenced objects (${result.bytes} bytes)`);
      }
    } catch (error) {
      this.logger.warn(`object collection failed: ${(error as Error).message}`);
    }
  }
}
