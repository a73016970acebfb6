import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type Ed25519KeyPair,
  ed25519PrivateKeyToPem,
  ed25519PublicKey,
  ed25519PublicKeyToPem,
  ed25519SeedFromPem,
  generateEd25519Key,
  type State,
} from "@statecast/state";
import { type BusyboxPart, BusyboxStates } from "./busybox-state.js";
import type { DemoApi } from "./demo-api.js";

/** The demo's release signing key, kept (0600) under the data dir so restarts sign alike. */
export function demoSigningKey(demoDir: string): { key: Ed25519KeyPair; file: string } {
  const file = join(demoDir, "release-signing.pem");
  if (existsSync(file)) {
    const seed = ed25519SeedFromPem(readFileSync(file, "utf8"));
    const publicKey = ed25519PublicKey(seed);
    return {
      file,
      key: {
        seed,
        publicKey,
        privateKeyPem: ed25519PrivateKeyToPem(seed),
        publicKeyPem: ed25519PublicKeyToPem(publicKey),
      },
    };
  }
  const key = generateEd25519Key();
  writeFileSync(file, key.privateKeyPem, { mode: 0o600, flag: "wx" });
  writeFileSync(join(demoDir, "release-signing.pub.pem"), key.publicKeyPem);
  return { file, key };
}

/**
 * The demo app: one busybox container that logs which demo revision it runs, then sleeps. The
 * label is in its config, not its rootfs: with the board's BSP the rootfs carries busybox (2 MB),
 * and every device fetches it once, not once per revision.
 */
const demoApp = (label: string): BusyboxPart => ({
  name: "app",
  init: `echo "statecast demo $STATECAST_DEMO_LABEL"; exec /bin/sleep 1000000`,
  env: { STATECAST_DEMO_LABEL: label },
});

/** A real BSP's files for a revision labelled `label` (the QEMU board's, see demo-board.ts). */
export type DemoBsp = (label: string) => Promise<Record<string, Buffer>>;

/** The fleet's trust policy names the demo key (PUT is idempotent). */
async function trustDemoKey(api: DemoApi, fleet: string, release: BusyboxStates) {
  await api.call("PUT", `/v1/fleets/${fleet}/trust-policy`, {
    mode: "strict",
    trusted: [{ name: "demo-release", pem: release.key.publicKeyPem, keys: ["**"] }],
  });
}

/**
 * The next revision (labelled `v<number>`) is built, its objects uploaded (existing ones answer
 * 200) and posted. With `bsp` its bsp/ is the board's real BSP. Returns its number.
 */
export async function postNextDemoRevision(
  api: DemoApi,
  fleet: string,
  release: BusyboxStates,
  bsp?: DemoBsp,
): Promise<number> {
  let newest = 0;
  for (;;) {
    const page = await api.get<{ number: number }[]>(
      `/v1/fleets/${fleet}/revisions?after=${newest}&limit=100`,
    );
    if (page.length === 0) break;
    newest = Math.max(newest, ...page.map((r) => r.number));
  }
  return (await postDemoRevision(api, fleet, release, `v${newest + 1}`, bsp)).number;
}

/** Posts a demo revision labelled `label` (its app logs it); returns its number and state. */
export async function postDemoRevision(
  api: DemoApi,
  fleet: string,
  release: BusyboxStates,
  label: string,
  bsp?: DemoBsp,
): Promise<{ number: number; state: State }> {
  await trustDemoKey(api, fleet, release);
  const { state } = release.build([demoApp(label)], label, {}, bsp ? await bsp(label) : undefined);
  for (const [sha, bytes] of release.objects) await api.call("PUT", `/v1/objects/${sha}`, bytes);
  const posted = await api.call<{ number: number }>("POST", `/v1/fleets/${fleet}/revisions`, {
    state,
    message: `demo ${label}`,
  });
  return { number: posted.number, state };
}
