// The process logger: pino, JSON lines, secrets redacted wherever they could appear.
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/config.js';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'token',
  'apiKey',
  'api_key',
  'password',
  '*.apiKey',
  '*.token',
  '*.password',
];

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'algo' } };
  return destination === undefined ? pino(options) : pino(options, destination);
}
