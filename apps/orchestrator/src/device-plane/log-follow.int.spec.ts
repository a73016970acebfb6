import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startTestNats, type TestNats } from "@statecast/testing";
import { type FollowFrame, LogFollow } from "./log-follow.js";

type Asked = Record<string, unknown>;

/** A device on a real nats-server: what it is asked, and a way to answer with chunks. */
async function fakeDevice(nc: NatsConnection, deviceId: string) {
  const asked: Asked[] = [];
  nc.subscribe(`sc.inbox.${deviceId}.logs`, {
    callback: (_e, msg) => {
      asked.push(msg.json());
    },
  });
  await nc.flush();
  return {
    asked,
    send: (chunk: Asked) => nc.publish(`sc.dev.${deviceId}.logs`, JSON.stringify(chunk)),
  };
}

async function collect(follow: LogFollow): Promise<FollowFrame[]> {
  const frames: FollowFrame[] = [];
  for await (const frame of follow) frames.push(frame);
  return frames;
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe("a log follow over NATS", () => {
  let nats: TestNats;
  let service: NatsConnection;
  let device: NatsConnection;

  beforeAll(async () => {
    nats = await startTestNats();
    service = await connect({ servers: nats.url });
    device = await connect({ servers: nats.url });
  });
  afterAll(async () => {
    await service?.close();
    await device?.close();
    await nats?.dispose();
  });

  const options = (requestId: string) => ({
    deviceId: "d1",
    requestId,
    part: "app",
    maxMs: 5_000,
    answerTimeoutMs: 2_000,
  });

  it("asks to follow, puts chunks in the device's order, tells the device to stop on close", async () => {
    const fake = await fakeDevice(device, "d1");
    let released = 0;
    const follow = new LogFollow(service, options("r1"), () => released++);
    await follow.start();
    const frames = collect(follow);
    await until(() => fake.asked.length === 1);
    expect(fake.asked[0]).toEqual({
      requestId: "r1",
      part: "app",
      follow: true,
      followSeconds: 5,
    });
    fake.send({ requestId: "r1", seq: 1, data: "second\n", done: false });
    fake.send({ requestId: "other", seq: 0, data: "not mine\n", done: false });
    fake.send({ requestId: "r1", seq: 0, data: "first\n", done: false });
    expect(await follow.answered).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    follow.close();
    expect(await frames).toEqual([{ text: "first\n" }, { text: "second\n" }]);
    await until(() => fake.asked.length === 2);
    expect(fake.asked[1]).toEqual({ requestId: "r1", control: "stop" });
    expect(released).toBe(1);
    follow.close();
    expect(released).toBe(1);
  });

  it("ends with the device's reason, or says a device of the release before does not follow", async () => {
    const fake = await fakeDevice(device, "d1");
    const follow = new LogFollow(service, options("r2"), () => undefined);
    await follow.start();
    fake.send({ requestId: "r2", seq: 0, data: "snapshot\n", done: true });
    expect(await collect(follow)).toEqual([
      { text: "snapshot\n" },
      { ended: "device_does_not_follow" },
    ]);
    // The device ended it: it is not told to stop.
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.asked.filter((a) => a.requestId === "r2")).toHaveLength(1);

    const expired = new LogFollow(service, options("r3"), () => undefined);
    await expired.start();
    fake.send({ requestId: "r3", seq: 0, data: "", done: false });
    fake.send({ requestId: "r3", seq: 1, data: "", done: true, ended: "expired" });
    expect(await collect(expired)).toEqual([{ ended: "expired" }]);
  });

  it("gives up on a device that does not answer, releasing the subscription", async () => {
    let released = 0;
    const follow = new LogFollow(
      service,
      { ...options("r4"), deviceId: "silent", answerTimeoutMs: 200 },
      () => released++,
    );
    await follow.start();
    expect(await follow.answered).toBe(false);
    expect(await collect(follow)).toEqual([{ ended: "device_not_answering" }]);
    expect(released).toBe(1);
  });
});
