import { LoggerService } from '@backstage/backend-plugin-api';

const ARN = /arn:aws[a-z-]*:[^\s"'`,;()]+/g;
const ACCOUNT_ID = /\b\d{12}\b/g;

/** An AWS error message without role ARNs and account ids. */
export function redactAwsMessage(message: string): string {
  return message
    .replace(ARN, 'arn:(redacted)')
    .replace(ACCOUNT_ID, '(account id)');
}

/**
 * An AWS error as users may see it: role ARNs and account ids removed (they tell an
 * attacker which roles and accounts the backend can reach). The whole error goes to the
 * plugin's log instead. Errors that carry neither are returned unchanged.
 */
export function redactAwsError(error: unknown, logger: LoggerService): unknown {
  if (!(error instanceof Error)) {
    return error;
  }
  const message = redactAwsMessage(error.message);
  if (message === error.message) {
    return error;
  }
  logger.warn(`AWS request failed: ${error.name}: ${error.message}`);
  const redacted = new Error(
    `${message} (details, with the ARN and account, are in the backend log)`,
  );
  redacted.name = error.name;
  return redacted;
}
