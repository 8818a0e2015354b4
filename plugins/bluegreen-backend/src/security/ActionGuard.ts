import {
  AuditorService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import { DelegatedWrite } from '../cutover/CutoverRunsClient';
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
  /**
   * The input's runId: a step task of a gitops-mode staged run, which the bluegreen
   * plugin starts with its own credentials. Such a task may make exactly the run's pending
   * write, which `matches` checks (throwing, naming the field that differs).
   */
  delegated?: { runId: string; matches(write: DelegatedWrite): void };
  /**
   * Runs before the permissions are asked (a refusal if it throws, audited as one): for
   * what the decision needs first, such as a just-registered entity the catalog must show.
   */
  prepare?: () => Promise<void>;
}

/** The principal the bluegreen plugin's own step tasks run as. */
const BLUEGREEN_PLUGIN = 'plugin:bluegreen';

function isBluegreenPlugin(credentials: BackstageCredentials): boolean {
  const principal = credentials.principal as {
    type: string;
    subject?: string;
  };
  return principal.type === 'service' && principal.subject === BLUEGREEN_PLUGIN;
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
      /** The staged runs' pending writes, for the plugin's own step tasks. */
      runs?: { pendingWrite(runId: string): Promise<DelegatedWrite> };
    },
  ) {}

  /**
   * Authorises every check, then runs `work`; the audit event records the initiator,
   * the permissions, the entity and the outcome (refused, failed or succeeded). A step
   * task of a staged run is not checked against permissions (its run's starter was, for
   * this write) but against the run's pending write, which `work` gets.
   */
  async run<T>(
    attempt: GuardedAttempt,
    checks: PermissionCheck[],
    work: (delegated?: DelegatedWrite) => Promise<T>,
  ): Promise<T> {
    const initiator = initiatorOf(attempt.credentials);
    const audit = await this.options.auditor.createEvent({
      eventId: 'bluegreen-action',
      severityLevel: 'high',
      meta: {
        action: attempt.action,
        initiator: initiator ?? null,
        ...(attempt.taskId ? { taskId: attempt.taskId } : {}),
        ...(attempt.delegated ? { runId: attempt.delegated.runId } : {}),
        dryRun: attempt.dryRun,
        permissions: checks.map(c => ({
          permission: c.permission.name,
          entityRef: c.entityRef,
        })),
        input: attempt.meta,
      },
    });
    let delegated: DelegatedWrite | undefined;
    try {
      delegated = await this.delegation(attempt);
      if (!delegated) {
        await attempt.prepare?.();
        await this.authorize(attempt, initiator, checks);
      }
    } catch (error) {
      await audit.fail({ error: error as Error, meta: { refused: true } });
      throw error;
    }
    // A step task acts for the run's starter: the audit names them.
    const onBehalfOf = delegated && {
      meta: { onBehalfOf: delegated.startedBy },
    };
    try {
      const result = await work(delegated);
      await audit.success(onBehalfOf);
      return result;
    } catch (error) {
      await audit.fail({ error: error as Error, ...onBehalfOf });
      throw error;
    }
  }

  /** The pending write a step task of a staged run makes; undefined for anyone else. */
  private async delegation(
    attempt: GuardedAttempt,
  ): Promise<DelegatedWrite | undefined> {
    if (!isBluegreenPlugin(attempt.credentials)) {
      if (attempt.delegated) {
        throw new NotAllowedError(
          `runId: only the bluegreen plugin's own step tasks of a staged cutover name a run; ${attempt.action} refuses it from anyone else`,
        );
      }
      return undefined;
    }
    if (!attempt.delegated) {
      throw new NotAllowedError(
        `${attempt.action} runs for the bluegreen plugin only as a step of a staged cutover (input runId)`,
      );
    }
    if (attempt.dryRun || !this.options.runs) {
      throw new NotAllowedError(
        `${attempt.action} makes a staged cutover's step only in a real task of a backend that knows the runs`,
      );
    }
    let write: DelegatedWrite;
    try {
      write = await this.options.runs.pendingWrite(attempt.delegated.runId);
    } catch (error) {
      throw new NotAllowedError(
        `runId: cutover run ${
          attempt.delegated.runId
        } waits for no write this task could make (${
          (error as Error).message
        })`,
      );
    }
    attempt.delegated.matches(write);
    return write;
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
