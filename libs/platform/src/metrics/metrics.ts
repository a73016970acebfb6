import { Injectable, Logger } from "@nestjs/common";
import { Counter, Gauge, Histogram } from "./instruments.js";
import {
  assertMetricName,
  encodeFamilies,
  type MetricFamily,
  type MetricType,
  type Sample,
} from "./prometheus-text.js";

/** Default histogram bounds in seconds, for latencies from a millisecond to a minute. */
export const DEFAULT_SECONDS_BUCKETS = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
] as const;

/** Reads a family's samples at scrape time (from a counter kept elsewhere, or a query). */
export type SampleReader = () => readonly Sample[] | Promise<readonly Sample[]>;

interface Registered {
  readonly help: string;
  readonly type: MetricType;
  readonly read: SampleReader;
}

/**
 * The service's metric registry: typed instruments that code updates as things happen, and
 * readers evaluated on each scrape. `render()` gives the `/metrics` body. A reader that fails
 * (e.g. Postgres down) leaves its family empty and counts the failure, not the whole scrape.
 */
@Injectable()
export class Metrics {
  private readonly families = new Map<string, Registered>();
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
    const counter = new Counter<L>(name, labels);
    this.register(name, help, "counter", () => counter.samples());
    return counter;
  }

  gauge<L extends string = never>(name: string, help: string, labels: readonly L[] = []) {
    const gauge = new Gauge<L>(name, labels);
    this.register(name, help, "gauge", () => gauge.samples());
    return gauge;
  }

  histogram<L extends string = never>(
    name: string,
    help: string,
    labels: readonly L[] = [],
    buckets: readonly number[] = DEFAULT_SECONDS_BUCKETS,
  ) {
    const histogram = new Histogram<L>(name, labels, buckets);
    this.register(name, help, "histogram", () => histogram.samples());
    return histogram;
  }

  /** A counter or gauge whose samples are read on each scrape. */
  onScrape(name: string, help: string, type: "counter" | "gauge", read: SampleReader): void {
    this.register(name, help, type, read);
  }

  async render(): Promise<string> {
    const families = await Promise.all(
      [...this.families].map(async ([name, family]): Promise<MetricFamily> => {
        try {
          return { name, help: family.help, type: family.type, samples: await family.read() };
        } catch (error) {
          this.scrapeErrors.inc({ family: name });
          this.logger.warn(`could not read metric ${name}: ${(error as Error).message}`);
          return { name, help: family.help, type: family.type, samples: [] };
        }
      }),
    );
    return encodeFamilies(families);
  }

  private register(name: string, help: string, type: MetricType, read: SampleReader): void {
    assertMetricName(name);
    if (this.families.has(name)) throw new Error(`metric ${name} is already registered`);
    this.families.set(name, { help, type, read });
  }
}
