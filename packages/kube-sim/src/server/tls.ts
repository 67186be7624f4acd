import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsMaterial {
  /** PEM private key of the serving certificate. */
  key: string;
  /** PEM serving certificate; self-signed, so it is also the CA clients trust. */
  cert: string;
}

/**
 * Generates a self-signed serving certificate for the given IPs and DNS names
 * with the local `openssl` (no network needed), so clients can verify the
 * server through `certificate-authority-data` as with a real cluster.
 */
export function generateSelfSignedTls(
  ips: string[],
  dnsNames: string[],
): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'kube-sim-tls-'));
  try {
    const san = [
      ...ips.map(ip => `IP:${ip}`),
      ...dnsNames.map(name => `DNS:${name}`),
    ].join(',');
    const keyPath = join(dir, 'tls.key');
    const certPath = join(dir, 'tls.crt');
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '365',
          '-subj',
          '/CN=kube-sim',
          '-addext',
          `subjectAltName=${san}`,
          '-keyout',
          keyPath,
          '-out',
          certPath,
        ],
        { stdio: 'pipe' },
      );
    } catch (error) {
      throw new Error(
        `kube-sim needs the openssl command to generate a TLS certificate: ${
          (error as Error).message
        }`,
      );
    }
    return {
      key: readFileSync(keyPath, 'utf8'),
      cert: readFileSync(certPath, 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
