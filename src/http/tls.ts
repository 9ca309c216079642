// HTTPS: the certificate and key named by ALGO_TLS_CERT_FILE / ALGO_TLS_KEY_FILE, checked as a
// pair before use. At start-up a missing, unreadable, malformed or mismatched pair is a
// ConfigError naming the file; on SIGHUP a good pair replaces the servers' secure context
// (new connections get the new certificate, open ones are kept) and a bad one is logged while
// the current pair stays.
import { readFile } from 'node:fs/promises';
import { Server as HttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ConfigError, messageOf } from '../errors.js';
import { show } from '../redact.js';
import type { TlsFiles } from './http-config.js';

export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

/** OpenSSL's reason without its numeric prefix, e.g. `PEM routines::no start line`. */
const reasonOf = (error: unknown): string => messageOf(error).replace(/^error:[0-9A-F]+:/, '');

async function readPem(variable: string, file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new ConfigError(variable, show(file), `a readable ${what} (cannot read it: ${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Reads and checks the pair; throws a ConfigError naming the file at fault. */
export async function readTlsPair(files: TlsFiles): Promise<TlsPair> {
  const cert = await readPem('ALGO_TLS_CERT_FILE', files.certFile, 'PEM certificate file');
  const key = await readPem('ALGO_TLS_KEY_FILE', files.keyFile, 'PEM private key file');
  try {
    createSecureContext({ cert });
  } catch (error) {
    throw new ConfigError('ALGO_TLS_CERT_FILE', show(files.certFile), `a PEM certificate (${reasonOf(error)})`);
  }
  try {
    createSecureContext({ key });
  } catch (error) {
    throw new ConfigError('ALGO_TLS_KEY_FILE', show(files.keyFile), `a PEM private key without a passphrase (${reasonOf(error)})`);
  }
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new ConfigError(
      'ALGO_TLS_KEY_FILE',
      show(files.keyFile),
      `the private key of the certificate in ALGO_TLS_CERT_FILE=${show(files.certFile)} (${reasonOf(error)})`,
    );
  }
  return { cert, key };
}

/** SIGHUP: re-reads the pair and hands it to every HTTPS server; false (logged) when it is bad. */
export async function reloadTls(servers: readonly FastifyInstance[], files: TlsFiles, logger: Logger): Promise<boolean> {
  let pair: TlsPair;
  try {
    pair = await readTlsPair(files);
  } catch (error) {
    logger.warn({ problem: messageOf(error) }, 'TLS certificate not reloaded; the current one stays in use');
    return false;
  }
  for (const { server } of servers) if (server instanceof HttpsServer) server.setSecureContext(pair);
  logger.info({ certFile: files.certFile }, 'TLS certificate reloaded');
  return true;
}
