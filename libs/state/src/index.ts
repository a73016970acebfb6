// Public API of @statecast/state: Pantavisor state revisions, canonical JSON, PVS signatures,
// bundles and the content-addressed object store. Names here are a contract; keep them stable.

/** pvr export bundles: limits, streaming read (every object hash-checked) and write. */
export { type BundleLimits, DEFAULT_BUNDLE_LIMITS } from "./bundle/limits.js";
export { type BundleContent, type ReadBundleOptions, readBundle } from "./bundle/read-bundle.js";
export { type WriteBundleOptions, type WrittenBundle, writeBundle } from "./bundle/write-bundle.js";
/** Diff of two states with reboot-vs-restart classification. */
export { diffStates, type StateDiff } from "./diff.js";
/** The state digest (sha256 hex of the canonical text). */
export { stateDigest } from "./digest.js";
/** Error classes, each with a machine-readable `code`. */
export {
  BundleError,
  HashMismatchError,
  JsonSyntaxError,
  KeyError,
  SizeMismatchError,
  StateValidationError,
  UnsafePathError,
} from "./errors.js";
/** Canonical JSON text (sorted keys, no whitespace, number text kept) and key ordering. */
export { canonicalJson, compareCodePoints } from "./json/canonical-json.js";
/** JSON values whose numbers keep their text. */
export {
  isJsonObject,
  JsonNumber,
  type JsonObject,
  type JsonValue,
  jsonNumberValue,
} from "./json/json-value.js";
/** Lossless JSON parser (keeps number lexemes, refuses duplicate keys). */
export { DEFAULT_JSON_LIMITS, type JsonParseLimits, parseJson } from "./json/parse-json.js";
/** Ed25519 keys: generation, PEM conversion, raw sign/verify with @noble/ed25519. */
export {
  type Ed25519KeyPair,
  ed25519PrivateKeyToPem,
  ed25519PublicKey,
  ed25519PublicKeyToPem,
  ed25519SeedFromPem,
  ed25519Sign,
  ed25519Verify,
  generateEd25519Key,
} from "./keys.js";
/** Key classification helpers. */
export { classifyKey, holdsObjectId, isObjectId, partOfKey } from "./model/classify.js";
/** Default start-up groups. */
export { DEFAULT_GROUP_TIMEOUT_S, DEFAULT_GROUPS } from "./model/groups.js";
/** Parse + validate a state (all issues reported, each naming key and reason). */
export { loadState, type ParsedState, parseState } from "./model/parse-state.js";
/** State model types. */
export {
  type BspRunJson,
  type GroupSpec,
  type KeyKind,
  type Part,
  type Persistence,
  PVS_SPEC,
  type RestartPolicy,
  RUN_SPEC,
  type RunJson,
  STATE_SPEC,
  type State,
  type StateIssue,
  type StateModel,
  type StatusGoal,
} from "./model/types.js";
/** Validate an already-parsed state object. */
export { type StateValidation, validateState } from "./model/validate-state.js";
/** Path safety for state keys and bundle members. */
export { assertSafePath, MAX_PATH_LENGTH, unsafePathReason } from "./path-safety.js";
/** PVS globs and pvr's per-part defaults. */
export { defaultPartGlobs, matchGlob, selectKeys } from "./pvs/glob.js";
/** PVS protected header decoding. */
export { decodeProtectedHeader, type PvsAlgorithm, type PvsHeader } from "./pvs/jws.js";
/** Sign a part with Ed25519 (pvs@2, alg EdDSA). */
export { type SignPartOptions, signPart } from "./pvs/sign.js";
/** Trust policy types, and the check that a signer's PEM is usable. */
export {
  compileSigner,
  type TrustAnchor,
  type TrustedSigner,
  type TrustPolicy,
} from "./pvs/trust.js";
/** Verify every signature of a state under a trust policy. */
export {
  type SignatureReport,
  type SignatureStatus,
  signedPayload,
  type VerifyReport,
  verifyState,
} from "./pvs/verify.js";
export { FsObjectStore } from "./store/fs-object-store.js";
/** Content-addressed object store interface and its filesystem implementation. */
export type { ByteRange, ObjectStat, ObjectStore, PutResult } from "./store/object-store.js";
