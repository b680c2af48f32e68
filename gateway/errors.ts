/**
 * Errors and exit codes are a protocol: one table of each. Code throws `new GatewayError(code,
 * detail)`; the CLI prints the message and exits with the code's exit status. No string matching
 * on messages, no instanceof chains.
 */

/** Process exit statuses of the master (and of a worker that cannot boot). */
export const ExitCode = {
  OK: 0,
  /** An unexpected error: a bug in the gateway, or an environment problem we did not foresee. */
  INTERNAL: 1,
  /** Bad configuration or usage: nothing was bound or forked. */
  CONFIG: 2,
  /** A worker could not boot (gunicorn's WORKER_BOOT_ERROR). */
  WORKER_BOOT: 3,
  /** The app could not be loaded or initialised (gunicorn's APP_LOAD_ERROR). */
  APP_LOAD: 4,
  /** The health subcommand found the gateway not healthy / not ready. */
  UNHEALTHY: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

interface ErrorSpec {
  exit: ExitCode;
  /** What went wrong, in words a user acts on; `detail` follows it. */
  message: string;
}

/** Every error the gateway reports on purpose. */
export const ERRORS = {
  CONFIG_INVALID: { exit: ExitCode.CONFIG, message: 'invalid setting' },
  CONFIG_UNKNOWN: { exit: ExitCode.CONFIG, message: 'unknown setting' },
  CONFIG_FILE: { exit: ExitCode.CONFIG, message: 'cannot load the config file' },
  USAGE: { exit: ExitCode.CONFIG, message: 'bad usage' },
  BIND_FAILED: { exit: ExitCode.CONFIG, message: 'cannot bind' },
  APP_IMPORT_FAILED: { exit: ExitCode.APP_LOAD, message: 'cannot import the app module' },
  APP_EXPORT_INVALID: {
    exit: ExitCode.APP_LOAD,
    message:
      'the app module must export default a fetch app ({ fetch(request, ctx) }) or a Node listener ((req, res) => void), or an http.Server (exported, or listen() called on it)',
  },
  APP_LISTEN_REFUSED: {
    exit: ExitCode.APP_LOAD,
    message: 'the gateway adopts the first http.Server an app module listens on and binds no port for it; this listen cannot be adopted',
  },
  APP_INIT_FAILED: { exit: ExitCode.APP_LOAD, message: "the app's init() failed" },
  APP_INIT_TIMEOUT: { exit: ExitCode.APP_LOAD, message: "the app's init() did not finish in time" },
  WORKER_BOOT_FAILED: { exit: ExitCode.WORKER_BOOT, message: 'a worker could not boot' },
  HOOK_FAILED: { exit: ExitCode.INTERNAL, message: 'a hook threw' },
  UNHEALTHY: { exit: ExitCode.UNHEALTHY, message: 'the gateway is not healthy' },
} as const satisfies Record<string, ErrorSpec>;
export type ErrorCode = keyof typeof ERRORS;

/** An error with a code from the table; `exitCode` says how the process ends because of it. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly detail: string;

  constructor(code: ErrorCode, detail = '', options?: { cause?: unknown }) {
    const spec: ErrorSpec = ERRORS[code];
    super(detail ? `${spec.message}: ${detail}` : spec.message, options);
    this.name = 'GatewayError';
    this.code = code;
    this.exitCode = spec.exit;
    this.detail = detail;
  }
}

/** The exit status for anything thrown: the table's for ours, INTERNAL for everything else. */
export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof GatewayError ? error.exitCode : ExitCode.INTERNAL;
}
