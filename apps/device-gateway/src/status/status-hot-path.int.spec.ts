import { setTimeout as sleep } from "node:timers/promises";
import { DeviceEvents, deviceStreamId } from "@statecast/events";
import {
  aReport,
  aTargetedDevice,
  deviceEventTypes,
  drops,
  publishReport,
  untilIngested,
  useGateway,
} from "../testing/gateway.test-helper.js";

// The batched hot path keeps each device's folded state in memory between transactions and
// retries a failed commit itself; these tests hold it to the semantics of re-reading every time.
describe("status ingestion hot path", () => {
  const h = useGateway();

  it("sees a target assigned behind its back: a device's cached state is read again past its version", async () => {
    await aTargetedDevice(h.store, "dev-h1");
    await publishReport(h.device, aReport("dev-h1", 1));
    await untilIngested(h.device);
    // The orchestrator retargets the device to fleet#3; the gateway wrote nothing meanwhile.
    const { version } = await h.store.readStream(deviceStreamId("dev-h1"));
    await h.store.append(
      deviceStreamId("dev-h1"),
      [
        {
          type: DeviceEvents.TargetAssigned.type,
          data: { revision: { fleet: "fleet", number: 3 }, digest: "b".repeat(64), seq: 2 },
          metadata: {
            correlationId: "t",
            causationId: "t",
            actor: "operator:test",
            now: new Date().toISOString(),
          },
        },
      ],
      { expectedVersion: version },
    );
    const notTargetedBefore = drops(h.gateway).get("not_targeted");
    await publishReport(h.device, aReport("dev-h1", 2)); // still names fleet#2
    await publishReport(h.device, aReport("dev-h1", 3, { revision: "fleet#3" }));
    await untilIngested(h.device);

    expect(await deviceEventTypes(h.store, "dev-h1")).toEqual([
      "UpdateProgressReported",
      "TargetAssigned",
      "UpdateProgressReported",
    ]);
    const { events } = await h.store.readStream(deviceStreamId("dev-h1"));
    expect(events.at(-1)?.data).toMatchObject({ seq: 3, revision: { fleet: "fleet", number: 3 } });
    expect(drops(h.gateway).get("not_targeted")).toBe(notTargetedBefore + 1);
  });

  it("retries a failed commit before the device's later reports: none lost, none dropped as stale", async () => {
    const admin = h.store.pool;
    await admin.query(`
      CREATE TABLE fail_flag (stream_id text PRIMARY KEY);
      CREATE SEQUENCE fail_attempts;
      CREATE FUNCTION fail_seq_1() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.data->>'seq' = '1' AND EXISTS (SELECT 1 FROM fail_flag f WHERE f.stream_id = NEW.stream_id) THEN
          PERFORM nextval('fail_attempts'); -- not rolled back: counts the failed commits
          RAISE EXCEPTION 'injected failure';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fail_seq_1 BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION fail_seq_1();
    `);
    await aTargetedDevice(h.store, "dev-h2");
    await admin.query("INSERT INTO fail_flag VALUES ('device:dev-h2')");
    const attempts = async () =>
      Number(
        (
          await admin.query(
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM fail_attempts",
          )
        ).rows[0]?.n,
      );

    await publishReport(h.device, aReport("dev-h2", 1, { status: "QUEUED", progress: 0 }));
    while ((await attempts()) < 1) await sleep(20); // report 1's commit failed once
    await publishReport(h.device, aReport("dev-h2", 2));
    await publishReport(h.device, aReport("dev-h2", 3));
    await sleep(1_500); // reports 2 and 3 could have been committed by now, were they not held
    expect(await deviceEventTypes(h.store, "dev-h2")).toEqual([]);
    await admin.query("DELETE FROM fail_flag");
    await untilIngested(h.device);

    const { events } = await h.store.readStream(deviceStreamId("dev-h2"));
    expect(events.slice(2).map((e) => (e.data as { seq: number }).seq)).toEqual([1, 2, 3]);
    expect(await attempts()).toBeGreaterThanOrEqual(2); // tried again, not handed back once
    expect([drops(h.gateway).get("stale"), drops(h.gateway).get("duplicate")]).toEqual([0, 0]);
  });

  // A device reporting again is decided on its cached state and appended in one statement of its
  // own, expected at the cached version; these hold that path to the same semantics.
  const retarget = async (deviceId: string, number: number, seq: number) => {
    const { version } = await h.store.readStream(deviceStreamId(deviceId));
    await h.store.append(
      deviceStreamId(deviceId),
      [
        {
          type: DeviceEvents.TargetAssigned.type,
          data: { revision: { fleet: "fleet", number }, digest: "c".repeat(64), seq },
          metadata: {
            correlationId: "t",
            causationId: "t",
            actor: "operator:test",
            now: new Date().toISOString(),
          },
        },
      ],
      { expectedVersion: version },
    );
  };

  it("checks a drop decided on a stale cached state against the stream: the report for a target assigned behind its back is applied", async () => {
    await aTargetedDevice(h.store, "dev-h3");
    await publishReport(h.device, aReport("dev-h3", 1));
    await untilIngested(h.device); // cached: targeted at fleet#2
    await retarget("dev-h3", 3, 2);
    const notTargetedBefore = drops(h.gateway).get("not_targeted");
    // On the cached state (fleet#2) this report would be dropped as not targeted.
    await publishReport(h.device, aReport("dev-h3", 2, { revision: "fleet#3" }));
    await untilIngested(h.device);

    expect(await deviceEventTypes(h.store, "dev-h3")).toEqual([
      "UpdateProgressReported",
      "TargetAssigned",
      "UpdateProgressReported",
    ]);
    expect(drops(h.gateway).get("not_targeted")).toBe(notTargetedBefore);
  });

  it("retries a failed cached-state append before the device's later reports", async () => {
    const admin = h.store.pool;
    await admin.query(`
      CREATE TABLE fail_warm_flag (stream_id text PRIMARY KEY);
      CREATE SEQUENCE fail_warm_attempts;
      CREATE FUNCTION fail_warm_seq_2() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.data->>'seq' = '2' AND EXISTS (SELECT 1 FROM fail_warm_flag f WHERE f.stream_id = NEW.stream_id) THEN
          PERFORM nextval('fail_warm_attempts');
          RAISE EXCEPTION 'injected failure';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fail_warm_seq_2 BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION fail_warm_seq_2();
    `);
    const attempts = async () =>
      Number(
        (
          await admin.query(
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM fail_warm_attempts",
          )
        ).rows[0]?.n,
      );
    await aTargetedDevice(h.store, "dev-h4");
    await publishReport(h.device, aReport("dev-h4", 1, { status: "QUEUED", progress: 0 }));
    await untilIngested(h.device); // cached from here on
    await admin.query("INSERT INTO fail_warm_flag VALUES ('device:dev-h4')");
    await publishReport(h.device, aReport("dev-h4", 2));
    while ((await attempts()) < 1) await sleep(20);
    await publishReport(h.device, aReport("dev-h4", 3));
    await admin.query("DELETE FROM fail_warm_flag");
    await untilIngested(h.device);

    const { events } = await h.store.readStream(deviceStreamId("dev-h4"));
    expect(events.slice(2).map((e) => (e.data as { seq: number }).seq)).toEqual([1, 2, 3]);
    expect([drops(h.gateway).get("stale"), drops(h.gateway).get("duplicate")]).toEqual([0, 0]);
  });
});
