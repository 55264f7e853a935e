import { z } from 'zod';
import { LIMITS, jsonByteLength } from './limits.ts';

/** A `TaskDefinition` input item after validation, with defaults applied. */
export interface ValidTaskDefinition {
  name: string;
  conf: Record<string, unknown>;
  description: string | null;
  parent: string | null;
  thread: string | null;
  priority: number;
  timeoutMs: number | null;
  maxAttempts: number;
  refId: string | null;
  auto: boolean;
  archive: boolean;
  open: boolean;
  hold: boolean;
}

// Control characters other than tab/newline make names unreadable in logs and UIs.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const label = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .max(LIMITS.maxNameLength, `${what} is longer than ${LIMITS.maxNameLength} characters`)
    .refine((s) => !CONTROL.test(s), `${what} must not contain control characters`);

const conf = z
  .record(z.string(), z.unknown(), { error: 'conf must be a JSON object' })
  .refine((value) => jsonByteLength(value) <= LIMITS.maxConfBytes, `conf is larger than ${LIMITS.maxConfBytes} bytes`);

const definition = z.object({
  name: label('name'),
  conf: z.preprocess((v) => (v == null ? {} : v), conf),
  description: z.string().max(LIMITS.maxDescriptionLength, `description is longer than ${LIMITS.maxDescriptionLength} characters`).nullish(),
  parent: z.string().nullish(),
  thread: label('thread').nullish(),
  priority: z
    .number()
    .int()
    .min(LIMITS.minPriority, `priority must be between ${LIMITS.minPriority} and ${LIMITS.maxPriority}`)
    .max(LIMITS.maxPriority, `priority must be between ${LIMITS.minPriority} and ${LIMITS.maxPriority}`)
    .nullish(),
  timeoutMs: z.number().int().min(1, 'timeoutMs must be positive').max(LIMITS.maxTimeoutMs, `timeoutMs must be at most ${LIMITS.maxTimeoutMs}`).nullish(),
  maxAttempts: z.number().int().min(1, 'maxAttempts must be at least 1').max(LIMITS.maxAttempts, `maxAttempts must be at most ${LIMITS.maxAttempts}`).nullish(),
  refId: label('refId').nullish(),
  auto: z.boolean().nullish(),
  archive: z.boolean().nullish(),
  open: z.boolean().nullish(),
  hold: z.boolean().nullish(),
});

export type TaskDefinitionInput = z.input<typeof definition>;

export type DefinitionCheck = { ok: true; value: ValidTaskDefinition } | { ok: false; message: string };

/** Validates one definition; the message names the field and the limit it broke. */
export function validateTaskDefinition(input: unknown, defaultPriority: number = LIMITS.defaultPriority): DefinitionCheck {
  const parsed = definition.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    const message = issue?.message ?? 'invalid task definition';
    return { ok: false, message: path && !message.startsWith(path) ? `${path}: ${message}` : message };
  }
  const d = parsed.data;
  return {
    ok: true,
    value: {
      name: d.name,
      conf: d.conf as Record<string, unknown>,
      description: d.description ?? null,
      parent: d.parent ?? null,
      thread: d.thread ?? null,
      priority: d.priority ?? defaultPriority,
      timeoutMs: d.timeoutMs ?? null,
      maxAttempts: d.maxAttempts ?? LIMITS.defaultMaxAttempts,
      refId: d.refId ?? null,
      auto: d.auto ?? false,
      archive: d.archive ?? false,
      open: d.open ?? false,
      hold: d.hold ?? false,
    },
  };
}
