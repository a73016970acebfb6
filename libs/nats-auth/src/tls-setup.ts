import "reflect-metadata"; // @peculiar/x509 resolves its parts through tsyringe
import { webcrypto } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { ValidationError } from "@statecast/contract";
import { writePrivateFile, writePublicFile } from "./files.js";

/** PEM files of a TLS setup: what nats-server listens with and what clients pin. */
export interface TlsFiles {
  /** The CA certificate every client and server trusts (public: give it to agents). */
  readonly caFile: string;
  /** The servers' certificate (client, route and leaf listeners; also their route client cert). */
  readonly certFile: string;
  /** Its private key (0600). */
  readonly keyFile: string;
}

export const TLS_FILES = {
  ca: "ca.pem",
  caKey: "ca-key.pem",
  cert: "server-cert.pem",
  key: "server-key.pem",
} as const;

type Crypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;

const EC = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING = { name: "ECDSA", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;

/**
 * A private CA and a server certificate for `hosts` (DNS names and IP addresses), created in `dir`
 * on first use and reused afterwards (so agents keep trusting the same CA). The CA key stays in
 * `dir` (0600) to issue more server certificates; the servers need only `certFile` and `keyFile`.
 * ECDSA P-256, SHA-256; the CA for 20 years, the server certificate for 5.
 */
export async function ensureTlsFiles(dir: string, hosts: readonly string[]): Promise<TlsFiles> {
  const files: TlsFiles = {
    caFile: join(dir, TLS_FILES.ca),
    certFile: join(dir, TLS_FILES.cert),
    keyFile: join(dir, TLS_FILES.key),
  };
  if (existsSync(files.caFile) && existsSync(files.certFile) && existsSync(files.keyFile)) {
    return files;
  }
  if (hosts.length === 0) throw new ValidationError("a server certificate needs at least one host");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Cast: Node's webcrypto is the DOM Crypto @peculiar/x509 expects, typed apart by @types/node.
  const crypto = webcrypto as unknown as Crypto;
  const now = Date.now();
  const caKeys = await crypto.subtle.generateKey(EC, true, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: "CN=Statecast NATS CA",
      keys: caKeys,
      signingAlgorithm: SIGNING,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 20 * 365 * DAY_MS),
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const serverKeys = await crypto.subtle.generateKey(EC, true, ["sign", "verify"]);
  const server = await x509.X509CertificateGenerator.create(
    {
      subject: `CN=${hosts[0]}`,
      issuer: ca.subject,
      publicKey: serverKeys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: SIGNING,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 5 * 365 * DAY_MS),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        // Routes and leaf links dial other servers with the same certificate: client auth too.
        new x509.ExtendedKeyUsageExtension(
          [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
          false,
        ),
        new x509.SubjectAlternativeNameExtension(
          hosts.map((host) => ({
            type: isIP(host) ? ("ip" as const) : ("dns" as const),
            value: host,
          })),
          false,
        ),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  writePrivateFile(join(dir, TLS_FILES.caKey), await privateKeyPem(crypto, caKeys.privateKey));
  writePrivateFile(files.keyFile, await privateKeyPem(crypto, serverKeys.privateKey));
  writePublicFile(files.certFile, server.toString("pem"));
  writePublicFile(files.caFile, ca.toString("pem"));
  return files;
}

async function privateKeyPem(crypto: Crypto, key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey("pkcs8", key));
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join("\n")}\n-----END PRIVATE KEY-----\n`;
}
