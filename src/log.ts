import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'tasklane' },
    // Secrets never reach the logs, whatever logs them.
    redact: {
      paths: [
        'token',
        '*.token',
        'secret',
        '*.secret',
        'authorization',
        '*.authorization',
        'headers.authorization',
        'req.headers.authorization',
        'connectionParams.authorization',
        'databaseUrl',
      ],
      censor: '[redacted]',
    },
  });
}
