import { parseLdd } from "./runtime.js";

describe("parseLdd", () => {
  it("keeps the linked name and the real file, and the loader; skips the vdso", () => {
    const text = [
      "\tlinux-vdso.so.1 (0x00007ffd)",
      "\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f18)",
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f18)",
    ].join("\n");
    expect(parseLdd(text)).toEqual([
      ["libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6"],
      ["/lib64/ld-linux-x86-64.so.2", "/lib64/ld-linux-x86-64.so.2"],
    ]);
  });
});
