import { bool, int, isHttpUrl, isPostgresUrl, list, oneOf, optionalStr, str, type SettingTree } from './setting.ts';

/**
 * Every setting the server reads. The JSON files (`config/default.json`, then `config/local.json`)
 * use the nested keys shown here; an environment variable, when named, overrides both.
 *
 * To add a setting: add one leaf to the right section (or a new section), give it an `env` name if
 * operators should be able to set it from the environment, and put the same default in
 * `config/default.json`. `Config` (load-config.ts) picks up the type automatically, and a test checks
 * that `config/default.json` and these defaults agree.
 */
export const configSchema = {
  server: {
    host: str({
      env: 'HOST',
      default: '127.0.0.1',
      pattern: /^(?:[A-Za-z0-9.-]+|\[?[0-9A-Fa-f:.]+\]?)$/,
      allowed: 'an IP address or host name to listen on (e.g. 127.0.0.1, 0.0.0.0, ::1)',
    }),
    port: int({ env: 'PORT', default: 3000, min: 0, max: 65535 }),
    dataDir: str({
      env: 'DATA_DIR',
      default: './data',
      minLength: 1,
      allowed: 'a directory path (relative to the working directory or absolute)',
    }),
    /** Largest accepted request body, in bytes. */
    bodyLimit: int({ env: 'HTTP_BODY_LIMIT', default: 1_048_576, min: 1024, max: 104_857_600 }),
    /** Whether `/docs` and `/docs/json` (the OpenAPI document) answer without a token. */
    docsPublic: bool({ env: 'DOCS_PUBLIC', default: true }),
    /**
     * PostgreSQL for the whole store (issue 12, src/store/README.md) and the cluster layer.
     * Unset: everything stays in the SQLite file under DATA_DIR.
     */
    databaseUrl: optionalStr({
      env: 'DATABASE_URL',
      secret: true,
      check: isPostgresUrl,
      allowed:
        'a postgres:// or postgresql:// URL naming a host and a database (unset: the SQLite file under DATA_DIR)',
    }),
  },
  log: {
    level: oneOf({
      env: 'LOG_LEVEL',
      values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
    }),
    /** `auto`: pretty on a terminal, JSON otherwise. */
    format: oneOf({ env: 'LOG_FORMAT', values: ['auto', 'json', 'pretty'], default: 'auto' }),
  },
  auth: {
    tokenTtlSeconds: int({ env: 'TOKEN_TTL_SECONDS', default: 900, min: 30, max: 86_400 }),
    /** HMAC key for tokens. When unset, one is generated on first start and kept in DATA_DIR/token-secret. */
    tokenSecret: optionalStr({
      env: 'TOKEN_SECRET',
      secret: true,
      minLength: 32,
      allowed: 'a string of at least 32 characters',
    }),
    passwordMinLength: int({ env: 'PASSWORD_MIN_LENGTH', default: 10, min: 8, max: 128 }),
    adminUsername: optionalStr({
      env: 'ADMIN_USERNAME',
      pattern: /^[A-Za-z0-9_.-]{3,64}$/,
      allowed: '3 to 64 letters, digits, or _ . -',
    }),
    adminPassword: optionalStr({
      env: 'ADMIN_PASSWORD',
      secret: true,
      minLength: 8,
      maxLength: 1024,
      allowed: 'a password of 8 to 1024 characters',
    }),
  },
  asterisk: {
    /** Base URL of Asterisk's HTTP server (e.g. http://pbx:8088). Unset: the embedded PBX simulator is used. */
    ariUrl: optionalStr({
      env: 'ASTERISK_ARI_URL',
      check: isHttpUrl,
      allowed: 'an http:// or https:// URL, e.g. http://127.0.0.1:8088',
    }),
    ariUser: optionalStr({ env: 'ASTERISK_ARI_USER', minLength: 1 }),
    ariPassword: optionalStr({ env: 'ASTERISK_ARI_PASSWORD', secret: true, minLength: 1 }),
    app: str({
      env: 'ASTERISK_APP',
      default: 'hotline',
      pattern: /^[A-Za-z0-9_-]{1,64}$/,
      allowed: '1 to 64 letters, digits, _ or -',
    }),
    /** Timeout for every ARI REST call, in milliseconds. */
    restTimeoutMs: int({ env: 'ASTERISK_REST_TIMEOUT_MS', default: 5000, min: 100, max: 120_000 }),
    amiHost: optionalStr({ env: 'ASTERISK_AMI_HOST', minLength: 1 }),
    amiPort: int({ env: 'ASTERISK_AMI_PORT', default: 5038, min: 1, max: 65535 }),
    amiUser: optionalStr({ env: 'ASTERISK_AMI_USER', minLength: 1 }),
    amiSecret: optionalStr({ env: 'ASTERISK_AMI_SECRET', secret: true, minLength: 1 }),
    /** How an agent's phone is dialled; `{ext}` is replaced by the extension. Default depends on the mode. */
    agentDialTemplate: optionalStr({
      env: 'AGENT_DIAL_TEMPLATE',
      check: (s) => s.includes('{ext}') && /^[A-Za-z]+\/\S+$/.test(s),
      allowed: 'a dial string containing {ext}, e.g. PJSIP/{ext} or Local/{ext}@agents',
    }),
    /**
     * What an agent may give as their extension when signing in (a regular expression the whole extension
     * must match); anything else is refused with 400. Extensions are also limited to letters, digits, _ and -.
     */
    agentExtensionPattern: str({
      env: 'AGENT_EXTENSION_PATTERN',
      default: '^[0-9]{3,6}$',
      minLength: 1,
      maxLength: 200,
      check: isRegExp,
      allowed: 'a regular expression, e.g. ^[0-9]{3,6}$ or ^8[0-9]{3}$',
    }),
    /** How an outside number (110, a handling unit) is dialled; `{number}` is replaced. Default depends on the mode. */
    externalDialTemplate: optionalStr({
      env: 'EXTERNAL_DIAL_TEMPLATE',
      check: (s) => s.includes('{number}') && /^[A-Za-z]+\/\S+$/.test(s),
      allowed: 'a dial string containing {number}, e.g. PJSIP/{number}@trunk or Local/{number}@hotline-outbound',
    }),
  },
  callCenter: {
    /** Tell an agent's desktop when a supervisor listens, whispers or barges in on their call (issue 10). */
    monitorNotifyAgent: bool({ env: 'MONITOR_NOTIFY_AGENT', default: false }),
    /** Callback retry plan (回拨): tries before an unanswered callback is closed, and the time between tries. */
    callbackMaxTries: int({ env: 'CALLBACK_MAX_TRIES', default: 3, min: 1, max: 20 }),
    callbackRetryMinutes: int({ env: 'CALLBACK_RETRY_MINUTES', default: 30, min: 1, max: 1440 }),
    /** Local hours in which nobody is called back (Beijing time), HH:MM-HH:MM, or off. */
    callbackQuietHours: str({
      env: 'CALLBACK_QUIET_HOURS',
      default: '22:00-08:00',
      minLength: 3,
      maxLength: 11,
      check: (s) => s === 'off' || /^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$/.test(s),
      allowed: 'HH:MM-HH:MM (e.g. 22:00-08:00) or off',
    }),
  },
  workOrders: {
    /** Regional working-day additions that apply (e.g. guangxi for 壮族三月三), besides the national calendar. */
    regions: list({
      env: 'CALENDAR_REGIONS',
      default: [],
      item: /^[a-z][a-z0-9-]{1,31}$/,
      allowed: 'region names such as guangxi',
    }),
  },
  sms: {
    /** The SMS provider's send endpoint. Unset: messages are only logged (log-only gateway). */
    gatewayUrl: optionalStr({ env: 'SMS_GATEWAY_URL', check: isHttpUrl, allowed: 'an http:// or https:// URL' }),
    gatewayToken: optionalStr({ env: 'SMS_GATEWAY_TOKEN', secret: true, minLength: 1 }),
    sender: optionalStr({ env: 'SMS_SENDER', minLength: 1, maxLength: 32 }),
    timeoutMs: int({ env: 'SMS_TIMEOUT_MS', default: 10_000, min: 100, max: 120_000 }),
    /** Shared secret of the provider's reply webhook (HMAC). Unset: the webhook refuses every call. */
    webhookSecret: optionalStr({
      env: 'SMS_WEBHOOK_SECRET',
      secret: true,
      minLength: 16,
      allowed: 'a secret of at least 16 characters',
    }),
  },
  intake: {
    /**
     * Per-channel credentials of the citizen intake API (POST /intake/{channel}), each `channel:id:secret`
     * (e.g. `wechat:wx-backend:<secret of 16+ characters>`). Empty: only the public form takes submissions.
     */
    credentials: list({
      env: 'INTAKE_CREDENTIALS',
      default: [],
      secret: true,
      item: /^[a-z-]+:[A-Za-z0-9_.-]{1,64}:[^,]{16,}$/,
      allowed: 'channel:id:secret entries (secret of at least 16 characters)',
    }),
    /** Serve the public form /public/submit (no sign-in, proof of work). */
    publicForm: bool({ env: 'INTAKE_PUBLIC_FORM', default: true }),
    /** Proof-of-work difficulty of the public form: leading zero bits (about 2^bits hashes in the browser). */
    powBits: int({ env: 'INTAKE_POW_BITS', default: 16, min: 1, max: 28 }),
    /** Submissions accepted per phone number per hour. */
    perNumberPerHour: int({ env: 'INTAKE_PER_NUMBER_PER_HOUR', default: 5, min: 1, max: 10_000 }),
    /** Submissions accepted per credential (and for the public form) per minute. */
    perCredentialPerMinute: int({ env: 'INTAKE_PER_CREDENTIAL_PER_MINUTE', default: 120, min: 1, max: 1_000_000 }),
    maxAttachments: int({ env: 'INTAKE_MAX_ATTACHMENTS', default: 3, min: 0, max: 10 }),
    maxAttachmentBytes: int({ env: 'INTAKE_MAX_ATTACHMENT_BYTES', default: 5_242_880, min: 1024, max: 52_428_800 }),
  },
  exchange: {
    /** The regional 12345 platform's receiving URL (art. 5). Set: every order transition goes to the outbox and is pushed there. */
    endpoint: optionalStr({ env: 'EXCHANGE_ENDPOINT', check: isHttpUrl, allowed: 'an http:// or https:// URL' }),
    /** HMAC secret signing the pushed records. */
    secret: optionalStr({
      env: 'EXCHANGE_SECRET',
      secret: true,
      minLength: 16,
      allowed: 'a secret of at least 16 characters',
    }),
    /** HMAC secret the regional platform signs its assignments with (POST /exchange/incoming). Unset: refused (503). */
    webhookSecret: optionalStr({
      env: 'EXCHANGE_WEBHOOK_SECRET',
      secret: true,
      minLength: 16,
      allowed: 'a secret of at least 16 characters',
    }),
    timeoutMs: int({ env: 'EXCHANGE_TIMEOUT_MS', default: 10_000, min: 100, max: 120_000 }),
    concurrency: int({ env: 'EXCHANGE_CONCURRENCY', default: 4, min: 1, max: 64 }),
  },
  recordings: {
    /** Years a recording is kept after the call (art. 28: at least 3); the purge removes it afterwards unless held. */
    retentionYears: int({ env: 'RECORDING_RETENTION_YEARS', default: 3, min: 3, max: 100 }),
    /** opus: Opus in Ogg (about 90 KB per call-minute); wav: keep Asterisk's lossless WAV (960 KB per minute). */
    archiveFormat: oneOf({ env: 'RECORDING_ARCHIVE_FORMAT', values: ['opus', 'wav'], default: 'opus' }),
    /** Opus target bitrate in bit/s (VBR, voice mode). 12 kbit/s keeps telephone speech clear. */
    opusBitrate: int({ env: 'RECORDING_OPUS_BITRATE', default: 12_000, min: 6_000, max: 32_000 }),
    /** Worker threads encoding Opus off the main thread; 0: auto, min(2, cores - 1) and at least 1. */
    encoderThreads: int({ env: 'RECORDING_ENCODER_THREADS', default: 0, min: 0, max: 16 }),
    /** Recordings removed per purge transaction. */
    purgeBatchSize: int({ env: 'RECORDING_PURGE_BATCH', default: 500, min: 1, max: 10_000 }),
    /** Files re-hashed by the daily integrity check (0: every file each day); the chains are always walked whole. */
    verifyFilesPerDay: int({ env: 'RECORDING_VERIFY_FILES_PER_DAY', default: 20_000, min: 0, max: 100_000_000 }),
    /**
     * The recording archive's directory. Unset: DATA_DIR/recordings. Several instances (docs/scale-out.md) share
     * one such directory (NFS or a mounted object store): the owner of the calls archives, any instance serves.
     */
    dir: optionalStr({
      env: 'RECORDINGS_DIR',
      minLength: 1,
      allowed: 'a directory path (relative to the working directory or absolute; unset: DATA_DIR/recordings)',
    }),
  },
  cluster: {
    /**
     * PostgreSQL of the cluster layer (call ownership lease, socket.io adapter, command forwarding). Unset: a
     * postgres:// DATABASE_URL serves it; neither: a single instance, no cluster (docs/scale-out.md).
     */
    databaseUrl: optionalStr({
      env: 'CLUSTER_DATABASE_URL',
      secret: true,
      check: (s) => /^postgres(?:ql)?:\/\//.test(s),
      allowed: 'a postgres:// URL, e.g. postgres://cti:secret@db:5432/hotline',
    }),
    /** This instance's name in the lease and in /health (default: host name and process id). */
    instanceId: optionalStr({
      env: 'INSTANCE_ID',
      pattern: /^[A-Za-z0-9_.:-]{1,64}$/,
      allowed: '1 to 64 letters, digits, or _ . : -',
    }),
    /** How long the call-ownership lease lasts without renewal: bounds the takeover time after a crash. */
    leaseTtlMs: int({ env: 'CLUSTER_LEASE_TTL_MS', default: 2000, min: 500, max: 60_000 }),
  },
  metrics: {
    /** Bearer token GET /metrics requires. Unset: /metrics answers loopback clients only. */
    token: optionalStr({
      env: 'METRICS_TOKEN',
      secret: true,
      minLength: 16,
      allowed: 'a token of at least 16 characters',
    }),
  },
} as const satisfies SettingTree;

function isRegExp(s: string): boolean {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}
