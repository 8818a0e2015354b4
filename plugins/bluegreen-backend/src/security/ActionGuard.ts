import {
  AuditorService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import { deniedChecks, PermissionCheck } from './permissionChecks';

export type { PermissionCheck } from './permissionChecks';

/** What an action tells the guard about the attempt, for the audit event. */
export interface GuardedAttempt {
  /** The action id, e.g. bluegreen:set-weight. */
  action: string;
  credentials: BackstageCredentials;
  taskId?: string;
  dryRun: boolean;
  /** The validated input, as far as it is safe to record (never secrets). */
  meta: JsonObject;
}

function initiatorOf(credentials: BackstageCredentials): string | undefined {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
  };
  return principal.type === 'user' ? principal.userEntityRef : undefined;
}

/**
 * Authorises the initiator of a scaffolder task for what an action is about to do, and
 * audits the attempt (severity high) whatever its outcome. Actions call it before they
 * read or write anything, wherever the task came from: the REST API, /create, the
 * dry-run endpoint or a template someone else wrote.
 */
export class ActionGuard {
  constructor(
    private readonly options: {
      permissions: PermissionsService;
      auditor: AuditorService;
    },
  ) {}

  /**
   * Authorises every check, then runs `work`; the audit event records the initiator,
   * the permissions, the entity and the outcome (refused, failed or succeeded).
   */
  async run<T>(
    attempt: GuardedAttempt,
    checks: PermissionCheck[],
    work: () => Promise<T>,
  ): Promise<T> {
    const initiator = initiatorOf(attempt.credentials);
    const audit = await this.options.auditor.createEvent({
      eventId: 'bluegreen-action',
      severityLevel: 'high',
      meta: {
        action: attempt.action,
        initiator: initiator ?? null,
        ...(attempt.taskId ? { taskId: attempt.taskId } : {}),
        dryRun: attempt.dryRun,
        permissions: checks.map(c => ({
          permission: c.permission.name,
          entityRef: c.entityRef,
        })),
        input: attempt.meta,
      },
    });
    try {
      await this.authorize(attempt, initiator, checks);
    } catch (error) {
      await audit.fail({ error: error as Error, meta: { refused: true } });
      throw error;
    }
    try {
      const result = await work();
      await audit.success();
      return result;
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  }

  /**
   * A further check inside a guarded run (its audit event records the refusal), for a
   * permission the work turned out to need: `why` says what needs it.
   */
  async check(
    attempt: Pick<GuardedAttempt, 'action' | 'credentials'>,
    checks: PermissionCheck[],
    why: string,
  ): Promise<void> {
    try {
      await this.authorize(attempt, initiatorOf(attempt.credentials), checks);
    } catch (error) {
      throw new NotAllowedError(
        `${(error as Error).message} (needed for ${why})`,
      );
    }
  }

  private async authorize(
    attempt: Pick<GuardedAttempt, 'action' | 'credentials'>,
    initiator: string | undefined,
    checks: PermissionCheck[],
  ) {
    if (!initiator) {
      throw new NotAllowedError(
        `${attempt.action} runs only for a task started by a signed-in user; this task has no user initiator`,
      );
    }
    const denied = await deniedChecks(
      this.options.permissions,
      checks,
      attempt.credentials,
    );
    if (denied.length > 0) {
      throw new NotAllowedError(
        `${initiator} is not allowed to ${attempt.action.replace(
          /^bluegreen:/,
          '',
        )}: ${denied
          .map(c => `permission ${c.permission.name} on ${c.entityRef}`)
          .join(', ')}`,
      );
    }
  }
}
