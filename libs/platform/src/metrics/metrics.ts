import { Injectable, Logger } from "@nestjs/common";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** Default histogram bounds in seconds, for latencies from a millisecond to a minute. */
export const DEFAULT_SECONDS_BUCKETS = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
] as const;

/** Prometheus text exposition format 0.0.4, the encoding every scraper accepts. */
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** One series of a family read at scrape time. */
export interface Sample {
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Reads a family's samples at scrape time (from a counter kept elsewhere, or a query). */
export type SampleReader = () => readonly Sample[] | Promise<readonly Sample[]>;

/**
 * The service's metric registry (prom-client's): instruments that code updates as things
 * happen, and families read on each scrape. `render()` gives the `/metrics` body. A reader that
 * fails (e.g. Postgres down) leaves its family empty and counts the failure, not the whole scrape.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly logger = new Logger("Metrics");
  private readonly scrapeErrors: Counter<"family">;

  constructor() {
    this.scrapeErrors = this.counter(
      "statecast_metrics_scrape_errors_total",
      "Families whose samples could not be read during a scrape, by family.",
      ["family"],
    );
  }

  counter<L extends string = never>(name: string, help: string, labels: readonly L[] = []) {
    return new Counter<L>({ name, help, labelNames: labels, registers: [this.registry] });
  }

  gauge<L extends string = never>(name: string, help: string, labels: readonly L[] = []) {
    return new Gauge<L>({ name, help, labelNames: labels, registers: [this.registry] });
  }

  histogram<L extends string = never>(
    name: string,
    help: string,
    labels: readonly L[] = [],
    buckets: readonly number[] = DEFAULT_SECONDS_BUCKETS,
  ) {
    return new Histogram<L>({
      name,
      help,
      labelNames: labels,
      buckets: [...buckets],
      registers: [this.registry],
    });
  }

  /** A counter or gauge whose samples (with the `labels` named) are read on each scrape. */
  onScrape(
    name: string,
    help: string,
    type: "counter" | "gauge",
    read: SampleReader,
    labels: readonly string[] = [],
  ): void {
    const readInto = async (family: { reset(): void; remove(labels: object): void }) => {
      family.reset();
      // prom-client starts an unlabelled family at 0: a family read as empty shows no sample.
      if (labels.length === 0) family.remove({});
      try {
        return await read();
      } catch (error) {
        this.scrapeErrors.inc({ family: name });
        this.logger.warn(`could not read metric ${name}: ${(error as Error).message}`);
        return [];
      }
    };
    const config = { name, help, labelNames: labels, registers: [this.registry] };
    if (type === "counter") {
      new Counter({
        ...config,
        async collect() {
          for (const s of await readInto(this)) this.inc(s.labels ?? {}, s.value);
        },
      });
    } else {
      new Gauge({
        ...config,
        async collect() {
          for (const s of await readInto(this)) this.set(s.labels ?? {}, s.value);
        },
      });
    }
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
