/** The parts of a `-json` UI event (machine-readable UI v1.x) that are used here. */
interface UiEvent {
  type: string;
  '@level'?: string;
  '@message'?: string;
  hook?: {
    resource?: { addr?: string };
    action?: string;
    elapsed_seconds?: number;
  };
  diagnostic?: {
    severity?: string;
    summary?: string;
    detail?: string;
    address?: string;
  };
  outputs?: Record<string, { sensitive?: boolean; value?: unknown }>;
}

// Event types whose own message is already the readable line users expect.
const MESSAGE_EVENTS = new Set([
  'apply_start',
  'apply_progress',
  'apply_complete',
  'apply_errored',
  'change_summary',
  'resource_drift',
  'provision_errored',
]);

/**
 * Turns the CLI's `-json` event stream into readable log lines, and keeps what the action
 * needs: resources in progress (for heartbeats and the stall timeout), errors, the change
 * summary and the non-sensitive outputs. Output values are never logged.
 */
export class JsonEventLog {
  /** Resource address → when it started (ms since epoch). */
  readonly inProgress = new Map<string, number>();
  readonly errors: string[] = [];
  readonly failedResources: string[] = [];
  outputs: Record<string, unknown> = {};
  changeSummary?: string;

  constructor(private readonly log: (line: string) => void) {}

  handleLine(line: string) {
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      event = undefined;
    }
    if (!event || typeof event !== 'object' || Array.isArray(event)) {
      // Not an event (a crash report, for instance): still worth showing.
      if (line.trim()) {
        this.log(line);
      }
      return;
    }
    this.handle(event as UiEvent);
  }

  private handle(event: UiEvent) {
    const address = event.hook?.resource?.addr;
    switch (event.type) {
      case 'apply_start':
        if (address) {
          this.inProgress.set(address, Date.now());
        }
        break;
      case 'apply_complete':
        if (address) {
          this.inProgress.delete(address);
        }
        break;
      case 'apply_errored':
        if (address) {
          this.inProgress.delete(address);
          this.failedResources.push(address);
        }
        break;
      case 'change_summary':
        this.changeSummary = event['@message'];
        break;
      case 'diagnostic':
        this.logDiagnostic(event);
        return;
      case 'outputs':
        this.collectOutputs(event);
        return;
      default:
        break;
    }
    if (MESSAGE_EVENTS.has(event.type) && event['@message']) {
      this.log(event['@message']);
    }
  }

  private logDiagnostic(event: UiEvent) {
    const { severity, summary, detail, address } = event.diagnostic ?? {};
    const text = [
      `${severity === 'error' ? 'Error' : 'Warning'}: ${summary ?? ''}`,
      detail ? ` — ${detail.replace(/\s+/g, ' ').trim()}` : '',
      address ? ` (${address})` : '',
    ].join('');
    if (severity === 'error') {
      this.errors.push(text.replace(/^Error: /, ''));
    }
    this.log(text);
  }

  private collectOutputs(event: UiEvent) {
    const outputs = event.outputs ?? {};
    // The plan phase announces outputs without values; only the final event has them.
    const withValues = Object.entries(outputs).filter(
      ([, output]) => !output.sensitive && 'value' in output,
    );
    if (withValues.length === 0) {
      return;
    }
    this.outputs = Object.fromEntries(
      withValues.map(([name, output]) => [name, output.value]),
    );
    const sensitive = Object.entries(outputs)
      .filter(([, output]) => output.sensitive)
      .map(([name]) => name);
    this.log(
      `Outputs: ${Object.keys(this.outputs).join(', ') || 'none'}${
        sensitive.length
          ? ` (sensitive, not shown: ${sensitive.join(', ')})`
          : ''
      }`,
    );
  }
}
