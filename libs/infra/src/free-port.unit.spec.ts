import { distinctPort, freePort } from "./free-port.js";

describe("free ports", () => {
  it("never hands out a port twice, even when the kernel gives the same one again", async () => {
    const kernel = [39291, 39291, 39291, 40001, 39291, 40001, 40002];
    const taken = new Set<number>();
    const allocate = async () => kernel.shift() as number;
    const ports = [];
    for (let i = 0; i < 3; i++) ports.push(await distinctPort(allocate, taken));
    expect(ports).toEqual([39291, 40001, 40002]);
  });

  it("gives distinct ports nothing listens on", async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(new Set(ports).size).toBe(20);
  });
});
