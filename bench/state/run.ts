// `npm run bench:state`: throughput of state verification, canonical JSON and Ed25519
// (@noble/ed25519 next to node:crypto on the same messages). Last line: one JSON object.
import {
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
} from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  canonicalJson,
  decodeProtectedHeader,
  ed25519Sign,
  ed25519Verify,
  generateEd25519Key,
  isJsonObject,
  parseState,
  type State,
  type TrustPolicy,
  verifyState,
} from "@statecast/state";

const FIXTURES =
  process.env.STATECAST_FIXTURES ??
  fileURLToPath(new URL("../../../shared/fixtures/pantavisor", import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

/** Runs `fn` repeatedly for about SECONDS and returns operations per second. */
function opsPerSecond(fn: () => void): number {
  const warmUntil = performance.now() + 500; // let the JIT settle before measuring
  while (performance.now() < warmUntil) fn();
  const deadline = performance.now() + SECONDS * 1000;
  const start = performance.now();
  let ops = 0;
  while (performance.now() < deadline) {
    for (let i = 0; i < 10; i++) fn();
    ops += 10;
  }
  return ops / ((performance.now() - start) / 1000);
}

function caPolicy(state: State): TrustPolicy {
  const entry = state["_sigs/bsp.json"];
  if (!isJsonObject(entry) || typeof entry.protected !== "string")
    throw new Error("fixture lacks _sigs/bsp.json");
  const der = Buffer.from(decodeProtectedHeader(entry.protected).x5c?.at(-1) ?? "", "base64");
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString("base64")}\n-----END CERTIFICATE-----\n`;
  return { mode: "lenient", trusted: [{ pem, name: "sub-ca" }] };
}

const text = readFileSync(join(FIXTURES, "initial_state.json"), "utf8");
const state = parseState(text).state as State;
const policy = caPolicy(state);

const verify_per_s = opsPerSecond(() => {
  const parsed = parseState(text);
  const report = verifyState(parsed.state as State, policy);
  if (report.signatures.filter((s) => s.status === "valid").length !== 4)
    throw new Error("verify regressed");
});

const canonicalBytes = Buffer.byteLength(canonicalJson(state));
const canonical_per_s = opsPerSecond(() => canonicalJson(state));

const key = generateEd25519Key();
const message = Buffer.from(canonicalJson(state)); // the size of a real signed payload
const nobleSig = ed25519Sign(message, key.seed);
const nodePrivate = createPrivateKey(key.privateKeyPem);
const nodePublic = createPublicKey(key.publicKeyPem);
const nodeSig = nodeSign(null, message, nodePrivate);
if (!nodeSig.equals(Buffer.from(nobleSig))) throw new Error("noble and node:crypto disagree");

const result = {
  bench: "state",
  fixture: "initial_state.json",
  message_bytes: message.length,
  verify_per_s: Math.round(verify_per_s),
  canonical_mb_per_s: Number(((canonical_per_s * canonicalBytes) / 1e6).toFixed(1)),
  ed25519_noble_sign_per_s: Math.round(opsPerSecond(() => ed25519Sign(message, key.seed))),
  ed25519_noble_verify_per_s: Math.round(
    opsPerSecond(() => ed25519Verify(nobleSig, message, key.publicKey)),
  ),
  ed25519_node_sign_per_s: Math.round(opsPerSecond(() => nodeSign(null, message, nodePrivate))),
  ed25519_node_verify_per_s: Math.round(
    opsPerSecond(() => nodeVerify(null, message, nodePublic, nodeSig)),
  ),
};
console.log(`verify ${result.verify_per_s}/s, canonical ${result.canonical_mb_per_s} MB/s`);
console.log(JSON.stringify(result));
