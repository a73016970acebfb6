import { type KeyObject, X509Certificate } from "node:crypto";
import { KeyError } from "../errors.js";
import { publicKeyOfPem } from "../keys.js";

/** One trusted signer: a public key or CA certificate(s) in PEM, for keys matching `keys` globs. */
export interface TrustedSigner {
  pem: string;
  /** State-key globs this signer may sign (PVS glob syntax); default `["**"]`, everything. */
  keys?: string[];
  /** A label for reports (e.g. the file it came from). */
  name?: string;
}

/** Trust policy: `strict` needs every key covered by a valid trusted signature; `lenient` only that what is signed verifies. */
export interface TrustPolicy {
  mode: "strict" | "lenient";
  trusted: TrustedSigner[];
  /** When set, x5c certificates must be valid at this instant (devices without RTC leave it unset). */
  certificatesValidAt?: Date;
}

/** A trusted signer in checked, comparable form. */
export interface TrustAnchor {
  name: string;
  keys: string[];
  publicKeys: KeyObject[];
  caCerts: X509Certificate[];
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** Parses a signer's PEM blocks into keys and CA certificates; says which block is wrong. */
export function compileSigner(signer: TrustedSigner, index: number): TrustAnchor {
  const name = signer.name ?? `trusted[${index}]`;
  const anchor: TrustAnchor = { name, keys: signer.keys ?? ["**"], publicKeys: [], caCerts: [] };
  for (const match of signer.pem.matchAll(PEM_BLOCK)) {
    const [block, label] = match;
    try {
      if (label === "CERTIFICATE") anchor.caCerts.push(new X509Certificate(block));
      else if (label === "PUBLIC KEY") anchor.publicKeys.push(publicKeyOfPem(block));
      else
        throw new KeyError(
          "key_unsupported",
          `PEM block ${label} is neither a public key nor a certificate`,
        );
    } catch (error) {
      if (error instanceof KeyError) throw new KeyError(error.code, `${name}: ${error.message}`);
      throw new KeyError("key_malformed", `${name}: unreadable ${label} PEM block`, {
        cause: error,
      });
    }
  }
  if (anchor.publicKeys.length + anchor.caCerts.length === 0) {
    throw new KeyError("key_malformed", `${name}: no PEM public key or certificate found`);
  }
  return anchor;
}

function validAt(cert: X509Certificate, at: Date | undefined): boolean {
  if (!at) return true;
  return new Date(cert.validFrom) <= at && at <= new Date(cert.validTo);
}

/** Whether an x5c chain (leaf first) is internally consistent; returns the reason when not. */
export function checkChain(
  chain: X509Certificate[],
  leafKey: KeyObject,
  at?: Date,
): string | undefined {
  const leaf = chain[0];
  if (!leaf) return "x5c is empty";
  if (!leaf.publicKey.equals(leafKey)) return "x5c leaf certificate does not hold the jwk key";
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i] as X509Certificate;
    if (!validAt(cert, at))
      return `x5c[${i}] (${cert.subject}) is not valid at ${at?.toISOString()}`;
    const issuer = chain[i + 1];
    if (!issuer) break;
    if (!issuer.ca || !cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) {
      return `x5c[${i}] (${cert.subject}) is not signed by x5c[${i + 1}] (${issuer.subject})`;
    }
  }
  return undefined;
}

/** True when the chain ends in, or is issued by, one of the anchor's CA certificates. */
export function chainAnchored(chain: X509Certificate[], anchor: TrustAnchor, at?: Date): boolean {
  const last = chain[chain.length - 1];
  if (!last) return false;
  return anchor.caCerts.some(
    (ca) =>
      chain.some((c) => c.fingerprint256 === ca.fingerprint256) ||
      (ca.ca && validAt(ca, at) && last.checkIssued(ca) && last.verify(ca.publicKey)),
  );
}
