import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
} from "@nestjs/common";
import { redactUrlPassword } from "../config/load-config.js";
import { JETSTREAM, NATS_CONNECTION } from "../tokens.js";

export interface NatsModuleOptions {
  servers: string[];
  /** Shows up in the server's connection list. */
  name: string;
  /** Credentials and other client options (authenticator, tls…). */
  connection?: Omit<NodeConnectionOptions, "servers" | "name">;
}

@Injectable()
class NatsDrainer implements OnApplicationShutdown {
  private readonly logger = new Logger("Nats");

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.nc.isClosed()) return;
    try {
      await this.nc.drain();
    } catch (err) {
      // The server may already be gone (e.g. stopped first); closing is all that is left to do.
      this.logger.warn(`NATS drain failed, closing: ${(err as Error).message}`);
      await this.nc.close();
    }
  }
}

async function openConnection(options: NatsModuleOptions): Promise<NatsConnection> {
  try {
    return await connect({
      maxReconnectAttempts: -1,
      // Without it the client builds an Error (and its stack) at the start of every request and
      // timed operation, in case it fails: 4.8 % of the gateway's CPU and 3.8 % of the
      // orchestrator's in bench:fleet's profile. A failure still says what failed, not from where.
      noAsyncTraces: true,
      ...options.connection,
      servers: options.servers,
      name: options.name,
    });
  } catch (err) {
    throw new Error(
      `cannot connect to NATS at ${options.servers.map(redactUrlPassword).join(", ")}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** One NATS connection (`NATS_CONNECTION`) and its JetStream client (`JETSTREAM`), drained on shutdown. */
@Module({})
export class NatsModule {
  static forRoot(options: NatsModuleOptions): DynamicModule {
    return {
      module: NatsModule,
      global: true,
      providers: [
        { provide: NATS_CONNECTION, useFactory: () => openConnection(options) },
        {
          provide: JETSTREAM,
          useFactory: (nc: NatsConnection): JetStreamClient => jetstream(nc),
          inject: [NATS_CONNECTION],
        },
        NatsDrainer,
      ],
      exports: [NATS_CONNECTION, JETSTREAM],
    };
  }
}
