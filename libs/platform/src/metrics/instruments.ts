import { assertLabelName, type Sample } from "./prometheus-text.js";

/** Label values keyed by the label names declared when the metric was created. */
export type LabelValues<L extends string> = Readonly<Record<L, string>>;

/** Keeps one value per label combination, in first-seen order. */
abstract class LabelledSeries<L extends string, V> {
  protected readonly series = new Map<string, { labels: LabelValues<L>; value: V }>();

  constructor(
    readonly name: string,
    private readonly labelNames: readonly L[],
  ) {
    for (const label of labelNames) assertLabelName(label);
  }

  protected entry(labels: LabelValues<L>, initial: () => V): { value: V } {
    const given = Object.keys(labels);
    const missing = this.labelNames.filter((l) => labels[l] === undefined);
    const extra = given.filter((l) => !(this.labelNames as readonly string[]).includes(l));
    if (missing.length > 0 || extra.length > 0) {
      throw new Error(
        `metric ${this.name} takes labels [${this.labelNames.join(", ")}], got [${given.join(", ")}]`,
      );
    }
    const key = this.labelNames.map((l) => labels[l]).join("\u0000");
    let found = this.series.get(key);
    if (!found) {
      found = { labels: { ...labels }, value: initial() };
      this.series.set(key, found);
    }
    return found;
  }

  abstract samples(): Sample[];
}

/** Only goes up; resets when the process restarts (Prometheus' `rate()` expects that). */
export class Counter<L extends string = never> extends LabelledSeries<L, number> {
  inc(labels: LabelValues<L>, by = 1): void {
    if (!(by >= 0) || !Number.isFinite(by)) {
      throw new Error(`counter ${this.name} can only grow by a finite amount >= 0, got ${by}`);
    }
    this.entry(labels, () => 0).value += by;
  }

  samples(): Sample[] {
    return [...this.series.values()].map(({ labels, value }) => ({ labels, value }));
  }
}

/** A value that goes up and down. */
export class Gauge<L extends string = never> extends LabelledSeries<L, number> {
  set(labels: LabelValues<L>, value: number): void {
    this.entry(labels, () => 0).value = value;
  }

  inc(labels: LabelValues<L>, by = 1): void {
    this.entry(labels, () => 0).value += by;
  }

  samples(): Sample[] {
    return [...this.series.values()].map(({ labels, value }) => ({ labels, value }));
  }
}

interface Distribution {
  counts: number[];
  sum: number;
  count: number;
}

/** Observations counted into cumulative `le` buckets, with their sum and count. */
export class Histogram<L extends string = never> extends LabelledSeries<L, Distribution> {
  private readonly bounds: readonly number[];

  constructor(name: string, labelNames: readonly L[], buckets: readonly number[]) {
    super(name, labelNames);
    const sorted = [...buckets].sort((a, b) => a - b);
    if (sorted.length === 0 || sorted.some((b, i) => !Number.isFinite(b) || b === sorted[i - 1])) {
      throw new Error(`histogram ${name} needs distinct finite bucket bounds, got [${buckets}]`);
    }
    if (labelNames.includes("le" as L)) throw new Error(`histogram ${name} cannot use label "le"`);
    this.bounds = sorted;
  }

  observe(labels: LabelValues<L>, value: number): void {
    if (Number.isNaN(value)) throw new Error(`histogram ${this.name} cannot observe NaN`);
    const d = this.entry(labels, () => ({
      counts: this.bounds.map(() => 0),
      sum: 0,
      count: 0,
    })).value;
    this.bounds.forEach((bound, i) => {
      if (value <= bound) d.counts[i] = (d.counts[i] ?? 0) + 1;
    });
    d.sum += value;
    d.count += 1;
  }

  samples(): Sample[] {
    return [...this.series.values()].flatMap(({ labels, value: d }) => [
      ...this.bounds.map((bound, i) => ({
        suffix: "_bucket",
        labels: { ...labels, le: String(bound) },
        value: d.counts[i] ?? 0,
      })),
      { suffix: "_bucket", labels: { ...labels, le: "+Inf" }, value: d.count },
      { suffix: "_sum", labels, value: d.sum },
      { suffix: "_count", labels, value: d.count },
    ]);
  }
}
