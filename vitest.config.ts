import { fileURLToPath } from "node:url";
import swc from "unplugin-swc";
import { defineConfig } from "vitest/config";

// SWC rather than esbuild so that NestJS sees decorator metadata in tests.
const lib = (name: string) =>
  fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));
const alias = {
  // Before "@statecast/platform": the first matching prefix wins.
  "@statecast/platform/config": fileURLToPath(
    new URL("./libs/platform/src/config/index.ts", import.meta.url),
  ),
  "@statecast/nats-auth/tls-setup": fileURLToPath(
    new URL("./libs/nats-auth/src/tls-setup.ts", import.meta.url),
  ),
  "@statecast/contract/http": fileURLToPath(
    new URL("./libs/contract/src/http/index.ts", import.meta.url),
  ),
  "@statecast/contract": lib("contract"),
  "@statecast/events": lib("events"),
  "@statecast/state": lib("state"),
  "@statecast/board": lib("board"),
  "@statecast/infra": lib("infra"),
  "@statecast/testing": lib("testing"),
  "@statecast/platform": lib("platform"),
  "@statecast/nats-auth": lib("nats-auth"),
  "@statecast/device-domain": lib("device-domain"),
};
const plugins = [swc.vite({ module: { type: "es6" } })];
const exclude = ["**/node_modules/**", "**/dist/**"];

export default defineConfig({
  plugins,
  resolve: { alias },
  test: {
    globals: true,
    // `DROP DATABASE … WITH (FORCE)` at the end of a test file terminates that database's idle
    // pool connections (SQLSTATE 57P01), which pg reports on clients nobody listens to any more.
    // Only that teardown artefact is ignored; every other unhandled error still fails the run.
    onUnhandledError: (error) =>
      (error as { code?: unknown }).code === "57P01" ? false : undefined,
    projects: [
      {
        plugins,
        resolve: { alias },
        test: {
          name: "unit",
          globals: true,
          include: ["**/*.unit.spec.ts"],
          exclude,
          // Some unit tests read real bundles and squashfs images: 5 s is too tight for them on a
          // loaded two-core CI machine (a timeout here is a flake, never a performance check).
          testTimeout: 20_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: "int",
          globals: true,
          include: ["**/*.int.spec.ts"],
          exclude,
          globalSetup: ["./libs/testing/src/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: "e2e",
          globals: true,
          include: ["**/*.e2e.spec.ts"],
          exclude,
          globalSetup: ["./libs/testing/src/global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        // The QEMU board (OVMF + GRUB + kernel + LXC under TCG): the last step of `npm test`, and
        // `npm run test:board` alone, both through scripts/test-board.mjs (one line says so when
        // QEMU cannot run here).
        plugins,
        resolve: { alias },
        test: {
          name: "board",
          globals: true,
          include: ["**/*.qemu.spec.ts"],
          exclude,
          globalSetup: ["./libs/testing/src/global-setup.ts"],
          testTimeout: 900_000,
          hookTimeout: 900_000,
          // The board spec and the demo's board side by side: each QEMU is one TCG thread and
          // its services wait on it, so on two cores the two files overlap (libs/board README).
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
