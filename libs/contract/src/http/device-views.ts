import { z } from "zod";
import { deviceMetricsSchema } from "../device-metrics.js";
import { APPROVALS } from "./devices.js";
import { revisionRef } from "./revision-ref.js";

const count = z.int().nonnegative();

/** Bytes of one apply or of a sum of applies. */
export const transferBytes = z.strictObject({
  needed: count.describe("full size of the objects the device lacked"),
  fetched: count.describe("bytes fetched, deltas and full objects together"),
  delta: count.describe("of fetched, the bytes fetched as object deltas"),
  resumed: count.describe("bytes reused from partial downloads of an earlier attempt"),
});
export type TransferBytes = z.output<typeof transferBytes>;

/** What a device has downloaded: its last apply and the sum over all its applies. */
export const deviceTransfer = z.strictObject({
  last: transferBytes.extend({ revision: revisionRef }).nullable(),
  total: transferBytes,
});
export type DeviceTransferView = z.output<typeof deviceTransfer>;

/** A device's latest metrics (`GET /v1/devices/:id` only) and how old they are. */
export const deviceMetricsView = z.strictObject({
  freshness: z
    .enum(["fresh", "stale", "absent"])
    .describe("stale: older than three of the device's intervals; absent: none kept"),
  receivedAt: z.string().nullable().describe("when the gateway stored them"),
  ageSeconds: z.number().nullable(),
  staleAfterSeconds: z.number().nullable(),
  report: z.nullable(deviceMetricsSchema).describe("the device's metrics message"),
});
export type DeviceMetricsView = z.output<typeof deviceMetricsView>;

/** A device as `GET /v1/devices/:id` (and every device command) answers it. */
export const deviceView = z.strictObject({
  deviceId: z.string(),
  fleet: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  approval: z.enum(APPROVALS),
  currentRevision: revisionRef.nullable(),
  target: z
    .strictObject({
      revision: revisionRef,
      digest: z.string(),
      seq: z.int(),
      rolloutId: z.string().nullable(),
    })
    .nullable(),
  lastStatus: z.string().nullable(),
  lastReason: z.string().nullable(),
  online: z.boolean(),
  lastSeenAt: z.string().nullable(),
  enrolledAt: z.string().nullable(),
  publicKey: z
    .string()
    .nullable()
    .optional()
    .describe(
      "the device's public nkey (U…): enrolled with, or presented after a re-key; null while a re-keyed device has not said hello",
    ),
  keyFingerprint: z
    .string()
    .nullable()
    .optional()
    .describe(
      "first 16 hex digits of SHA-256 over the public key's text (`printf %s U… | sha256sum | cut -c1-16`)",
    ),
  transfer: deviceTransfer.describe(
    "bytes downloaded: `last` apply {revision, needed, fetched, delta, resumed} and `total` over all applies",
  ),
  installedVia: z.enum(["target", "bundle"]).nullable(),
  drifted: z.boolean().describe("runs another revision than its target, no update under way"),
  metrics: deviceMetricsView
    .optional()
    .describe("GET /v1/devices/:id only (not lists, not ?at=): the latest metrics and their age"),
  version: z.int().nonnegative(),
  updatedAt: z.string(),
});
export type DeviceView = z.output<typeof deviceView>;

/** What `GET /v1/devices` answers. */
export const devicePage = z.strictObject({
  items: z.array(deviceView),
  next: z.string().nullable().describe("the `after` of the next page; null on the last"),
});
export type DevicePage = z.output<typeof devicePage>;

/** What `GET /v1/devices/summary` answers. */
export const deviceSummary = z.strictObject({
  total: count,
  online: count,
  offline: count,
  drifted: count.describe(
    "devices running another revision than their target, no update under way",
  ),
  byRevision: z.array(
    z.strictObject({
      fleet: z.string().nullable(),
      number: z.int().nullable().describe("null: no revision reported yet"),
      count,
    }),
  ),
  byStatus: z.array(z.strictObject({ status: z.string().nullable(), count })),
});
export type DeviceSummaryView = z.output<typeof deviceSummary>;
