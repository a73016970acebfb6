import { Inject, Injectable, Optional } from "@nestjs/common";
import { Metrics } from "@statecast/platform";
import { ObjectStats, type ObjectStatsView } from "./object-stats.js";

const COUNTERS: ReadonlyArray<[name: string, help: string, field: keyof ObjectStatsView]> = [
  [
    "statecast_objects_served_bytes_total",
    "Object bytes sent by GET (full and ranged).",
    "servedBytes",
  ],
  [
    "statecast_objects_uploaded_bytes_total",
    "Object bytes newly stored by uploads.",
    "uploadedBytes",
  ],
  ["statecast_objects_stored_total", "Objects newly stored by uploads.", "storedObjects"],
  [
    "statecast_objects_duplicate_uploads_total",
    "Uploads of an object already present.",
    "duplicateUploads",
  ],
  [
    "statecast_objects_refused_uploads_total",
    "Uploads refused: wrong hash, size or over the limit.",
    "refusedUploads",
  ],
];

/** Exposes the object counters on `/metrics` when the app imports `MetricsModule`. */
@Injectable()
export class ObjectsMetrics {
  constructor(
    @Inject(ObjectStats) stats: ObjectStats,
    @Optional() @Inject(Metrics) metrics?: Metrics,
  ) {
    for (const [name, help, field] of COUNTERS) {
      metrics?.onScrape(name, help, "counter", () => [{ value: stats.view()[field] }]);
    }
  }
}
