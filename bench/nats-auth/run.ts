/**
 * Credential costs of the device plane: device JWTs issued per second, nonce signatures per
 * second (node:crypto vs the tweetnacl inside @nats-io/nkeys, the peer), and device connections
 * per second against a nats-server running the generated configuration.
 *
 *   npm run bench:nats-auth            # last line: one JSON object
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createUser, fromSeed } from "@nats-io/nkeys";
import { connect } from "@nats-io/transport-node";
import { freePort, startNatsServer } from "@statecast/infra";
// From source, like the tests: the bench must not depend on a fresh build of dist/.
import {
  createOperatorSetup,
  deviceConnectionOptions,
  issueDeviceUser,
  renderServerConfig,
} from "../../libs/nats-auth/src/index.js";
import { nativeKeyPair } from "../../libs/nats-auth/src/native-nkeys.js";
import { benchTeardown } from "../teardown.js";

const DEVICES = Number(process.env.BENCH_DEVICES ?? 500);
const SIGNATURES = 300;

async function rate(count: number, run: (i: number) => Promise<unknown> | unknown) {
  const start = performance.now();
  for (let i = 0; i < count; i++) await run(i);
  return Math.round((count * 1000) / (performance.now() - start));
}

const teardown = benchTeardown((line) => process.stderr.write(`[bench:nats-auth] ${line}\n`));
const dir = mkdtempSync(join(tmpdir(), "statecast-bench-nats-auth-"));
teardown.removeAtEnd(dir);
try {
  const setup = await createOperatorSetup(join(dir, "operator"));
  const nonce = new TextEncoder().encode("a-server-nonce-of-typical-size");
  const seed = createUser().getSeed();
  const native = nativeKeyPair(seed);
  const nkeys = fromSeed(seed);
  const nativeSigsPerS = await rate(SIGNATURES, () => native.sign(nonce));
  const nkeysSigsPerS = await rate(Math.min(SIGNATURES, 50), () => nkeys.sign(nonce));

  const issued: { id: string; creds: string }[] = [];
  const issuePerS = await rate(DEVICES, async (i) => {
    const { creds } = await issueDeviceUser(setup, `bench-${i}`);
    issued.push({ id: `bench-${i}`, creds: creds! });
  });

  const port = await freePort();
  const configFile = join(dir, "nats.conf");
  const storeDir = join(dir, "js");
  writeFileSync(
    configFile,
    renderServerConfig({ setup, port, storeDir, storeDirOnCommandLine: true }),
  );
  const server = await startNatsServer({ configFile, storeDir, port });
  teardown.add(
    "nats-server",
    () => server.stop(),
    () => [server.process.pid],
  );
  const connections: Awaited<ReturnType<typeof connect>>[] = [];
  const connectsPerS = await rate(DEVICES, async (i) => {
    const device = issued[i]!;
    connections.push(
      await connect({ servers: server.url, ...deviceConnectionOptions(device.creds, device.id) }),
    );
  });
  await Promise.all(connections.map((c) => c.close()));
  await server.stop();
  console.log(
    JSON.stringify({
      device_creds_issued_per_s: issuePerS,
      device_connects_per_s_sequential: connectsPerS,
      devices: DEVICES,
      nonce_signatures_per_s_native: nativeSigsPerS,
      nonce_signatures_per_s_nkeys_tweetnacl: nkeysSigsPerS,
    }),
  );
} finally {
  await teardown.run();
}
