// Certificates for HTTPS tests, made with openssl: a CA and server certificates it signs for
// 127.0.0.1 and localhost (ECDSA P-256, valid two days).
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const openssl = async (args: string[], cwd: string): Promise<void> => {
  await promisify(execFile)('openssl', args, { cwd });
};

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface TestCa {
  dir: string;
  caFile: string;
  /** A new server certificate and key signed by this CA, as `<name>.crt` and `<name>.key`. */
  issue(name: string): Promise<{ certFile: string; keyFile: string }>;
}

export async function makeTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'algo-tls-'));
  await openssl(['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=algo test CA', '-days', '2'], dir);
  await writeFile(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    async issue(name) {
      await openssl(['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
      await openssl(
        ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2'].concat([
          '-extfile',
          'server.ext',
          '-out',
          `${name}.crt`,
        ]),
        dir,
      );
      return { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
    },
  };
}
