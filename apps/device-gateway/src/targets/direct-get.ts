import type { JetStreamManager } from "@nats-io/jetstream";
import { Logger } from "@nestjs/common";

/**
 * Turns direct get on for a stream made before it was asked for (`kvm.create` leaves an
 * existing stream's config as it is): agents since issue 16 read their `sc_targets` key only by
 * direct get. Returns whether it changed the stream.
 */
export async function ensureDirectGet(jsm: JetStreamManager, stream: string): Promise<boolean> {
  const info = await jsm.streams.info(stream);
  if (info.config.allow_direct) return false;
  await jsm.streams.update(stream, { allow_direct: true });
  new Logger("Targets").log(`${stream}: direct get turned on (agents read their target with it)`);
  return true;
}
