import { createServer } from "node:net";
import { distinctPort, freePort } from "./free-port.js";

const listenOn = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });

describe("free ports", () => {
  it("never hands out a port twice, even when the kernel gives the same one again", async () => {
    const kernel = [39291, 39291, 39291, 40001, 39291, 40001, 40002];
    const taken = new Set<number>();
    const allocate = async () => kernel.shift() as number;
    const ports = [];
    for (let i = 0; i < 3; i++) ports.push(await distinctPort(allocate, taken));
    expect(ports).toEqual([39291, 40001, 40002]);
  });

  it("gives ports that can be listened on, each a different one", async () => {
    const ports: number[] = [];
    for (let i = 0; i < 10; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) await listenOn(port);
  });
});
