// Public API of @statecast/state: Pantavisor state revisions, canonical JSON, PVS signatures,
// bundles and the content-addressed object store. Names here are a contract; keep them stable.

export {
  /** Limits a bundle must stay within. */
  type BundleLimits,
  /** Default bundle limits. */
  DEFAULT_BUNDLE_LIMITS,
} from "./bundle/limits.js";
export {
  /** A checked bundle: state, model, objects, missing and extra ids. */
  type BundleContent,
  /** A delta a `--delta-from` bundle carries instead of a full object. */
  type BundleDelta,
  /** Options of readBundle. */
  type ReadBundleOptions,
  /** Read a pvr export bundle (tar/tar.gz) as a stream, hash-checking every object. */
  readBundle,
} from "./bundle/read-bundle.js";
export {
  /** Options of writeBundle. */
  type WriteBundleOptions,
  /** Summary of writeBundle. */
  type WrittenBundle,
  /** Write a pvr export bundle of a state from a store, streaming. */
  writeBundle,
} from "./bundle/write-bundle.js";
export {
  /** Rebuild an object from an old object and a delta (caller checks the sha256). */
  applyDelta,
  /** The delta encoders: xdelta3 (default) and zstd --patch-from. */
  DELTA_ALGOS,
  type DeltaAlgo,
  /** A stored delta: {id (sha256 of the delta), from, to, algo, size}. */
  type DeltaManifest,
  /** A delta tool that failed or is missing. */
  DeltaToolError,
  /** The name under which the delta offers for an object are stored: `deltas.<to>`. */
  deltaOffersName,
  /** True for a well-formed delta manifest. */
  isDeltaManifest,
  /** Write the delta from one object file to another. */
  makeDelta,
  /** Object pairs one state replaces at the same path in another. */
  replacedObjects,
} from "./delta/object-delta.js";
export {
  /** Compare two states: keys, parts, objects, reboot vs container restarts. */
  diffStates,
  /** Result of diffStates. */
  type StateDiff,
} from "./diff.js";
export {
  /** The state digest: sha256 hex of the canonical JSON. */
  stateDigest,
} from "./digest.js";
export {
  /** A bundle that is malformed, hostile or over a limit. */
  BundleError,
  /** Object content whose sha256 is not its id (`object_hash_mismatch`). */
  HashMismatchError,
  /** Text that is not JSON, or over the parser's limits. */
  JsonSyntaxError,
  /** A key, signature or certificate that cannot be used. */
  KeyError,
  /** Object content whose size differs from the announced size (`object_size_mismatch`). */
  SizeMismatchError,
  /** Base of every libs/state error: bad input, with a machine-readable `code`. */
  StateValidationError,
  /** A key or member path that is absolute, has `..`, empty segments or control characters. */
  UnsafePathError,
} from "./errors.js";
export {
  /** Canonical JSON text: sorted keys, no whitespace, minimal escapes, number text kept. */
  canonicalJson,
  /** Orders strings by Unicode code point (the canonical key order). */
  compareCodePoints,
} from "./json/canonical-json.js";
export {
  /** True for a JSON object (not null, array or JsonNumber). */
  isJsonObject,
  /** A parsed JSON number that keeps its original text. */
  JsonNumber,
  /** A JSON object whose numbers may be JsonNumber. */
  type JsonObject,
  /** Any JSON value whose numbers may be JsonNumber. */
  type JsonValue,
  /** The numeric value of a number or JsonNumber. */
  jsonNumberValue,
} from "./json/json-value.js";
export {
  /** Default parser limits (depth 128, 64 MiB). */
  DEFAULT_JSON_LIMITS,
  /** Limits of parseJson. */
  type JsonParseLimits,
  /** Lossless JSON parser: keeps number lexemes, refuses duplicate keys. */
  parseJson,
} from "./json/parse-json.js";
export {
  /** An Ed25519 key pair (raw and PEM). */
  type Ed25519KeyPair,
  /** PKCS#8 PEM of a 32-byte seed. */
  ed25519PrivateKeyToPem,
  /** Public key of a seed. */
  ed25519PublicKey,
  /** SPKI PEM of a raw public key. */
  ed25519PublicKeyToPem,
  /** Seed of a PKCS#8 PEM Ed25519 private key. */
  ed25519SeedFromPem,
  /** Ed25519 sign with @noble/ed25519. */
  ed25519Sign,
  /** Strict Ed25519 verify with @noble/ed25519. */
  ed25519Verify,
  /** A fresh Ed25519 key pair. */
  generateEd25519Key,
  /** A public key from PEM (SPKI or certificate), built once per PEM text. */
  publicKeyOfPem,
} from "./keys.js";
export {
  /** How a key is interpreted: spec, signature, config, json or object. */
  classifyKey,
  /** True when a key's value is an object id rather than inline JSON. */
  holdsObjectId,
  /** True for a lowercase hex sha256. */
  isObjectId,
  /** The part a key belongs to ("" for root-level keys). */
  partOfKey,
} from "./model/classify.js";
export {
  /** Timeout of a group that names none (120 s). */
  DEFAULT_GROUP_TIMEOUT_S,
  /** Pantavisor's default groups: data, root, platform, app. */
  DEFAULT_GROUPS,
} from "./model/groups.js";
export {
  /** Parse + validate, throwing one StateValidationError listing every issue. */
  loadState,
  /** Result of parseState. */
  type ParsedState,
  /** Parse + validate text or an object: `{ state, errors, model }`, all issues reported. */
  parseState,
} from "./model/parse-state.js";
export {
  /** The file a run.json volume reference names (without a handler prefix such as `dm:`). */
  volumeFile,
} from "./model/run-json.js";
export {
  /** `bsp/run.json` as validated. */
  type BspRunJson,
  /** A start-up group. */
  type GroupSpec,
  /** Kinds of state keys. */
  type KeyKind,
  /** A part: bsp, container, root or other. */
  type Part,
  /** Volume persistence: permanent, revision or boot. */
  type Persistence,
  /** "pvs@2". */
  PVS_SPEC,
  /** Container restart policy: system (reboot) or container (restart). */
  type RestartPolicy,
  /** "service-manifest-run@1". */
  RUN_SPEC,
  /** A container's run.json as validated. */
  type RunJson,
  /** "pantavisor-service-system@1". */
  STATE_SPEC,
  /** A state revision: flat JSON object keyed by path. */
  type State,
  /** One validation issue: key and reason. */
  type StateIssue,
  /** Parts, groups, object ids and signatures derived from a valid state. */
  type StateModel,
  /** Container status goal: MOUNTED, STARTED or READY. */
  type StatusGoal,
} from "./model/types.js";
export {
  /** Result of validateState. */
  type StateValidation,
  /** Validate an already-parsed state object. */
  validateState,
} from "./model/validate-state.js";
export {
  /** Throws UnsafePathError unless a key/member path is a safe relative path. */
  assertSafePath,
  /** Longest accepted key or member path. */
  MAX_PATH_LENGTH,
  /** Why a path is unsafe, or undefined. */
  unsafePathReason,
} from "./path-safety.js";
export {
  /** pvr's `--part` include/exclude defaults. */
  defaultPartGlobs,
  /** Match a key against a PVS glob. */
  matchGlob,
  /** Keys matched by include and not by exclude. */
  selectKeys,
} from "./pvs/glob.js";
export {
  /** Decode and check a pvs@2 protected header. */
  decodeProtectedHeader,
  /** EdDSA, RS256, ES256 or ES384. */
  type PvsAlgorithm,
  /** A decoded protected header. */
  type PvsHeader,
} from "./pvs/jws.js";
export {
  /** Options of signPart. */
  type SignPartOptions,
  /** Add `_sigs/<part>.json`, an Ed25519 (EdDSA) pvs@2 signature. */
  signPart,
} from "./pvs/sign.js";
export {
  /** Check a trusted signer's PEM (throws KeyError naming it). */
  compileSigner,
  /** A trusted signer in checked form. */
  type TrustAnchor,
  /** A trusted public key or CA certificate, limited to key globs. */
  type TrustedSigner,
  /** Trust policy: strict or lenient, trusted signers. */
  type TrustPolicy,
} from "./pvs/trust.js";
export {
  /** The verdict on one signature. */
  type SignatureReport,
  /** valid, invalid, untrusted_key or covers_nothing. */
  type SignatureStatus,
  /** The canonical payload a signature covers. */
  signedPayload,
  /** Result of verifyState: per-signature reports and uncovered keys. */
  type VerifyReport,
  /** Verify every signature of a state under a trust policy. */
  verifyState,
} from "./pvs/verify.js";
export { chunkRange, type StoredChunk } from "./store/chunk-range.js";
export {
  /** Filesystem ObjectStore: `<dir>/<sha256>`, verified temp → fsync → rename. */
  FsObjectStore,
} from "./store/fs-object-store.js";
export type {
  /** Inclusive byte range. */
  ByteRange,
  /** Object id and size. */
  ObjectStat,
  /** Content-addressed object store interface. */
  ObjectStore,
  /** Result of ObjectStore.put. */
  PutResult,
} from "./store/object-store.js";
