// The process logger: pino, JSON lines, secrets redacted wherever they could appear.
import { pino, type Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

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
