import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EKSClient } from '@aws-sdk/client-eks';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Config } from '@backstage/config';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';

/** `bluegreen.aws` configuration with its defaults. */
export interface AwsClientSettings {
  accountId?: string;
  region: string;
  endpoint?: string;
  maxAttempts: number;
}

export function readAwsClientSettings(config: Config): AwsClientSettings {
  const aws = config.getOptionalConfig('bluegreen.aws');
  const maxAttempts = aws?.getOptionalNumber('maxAttempts') ?? 8;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new Error(
      `bluegreen.aws.maxAttempts must be a whole number of at least 1, got ${maxAttempts}`,
    );
  }
  return {
    accountId: aws?.getOptionalString('accountId'),
    region: aws?.getOptionalString('region') ?? 'us-east-1',
    endpoint: aws?.getOptionalString('endpoint'),
    maxAttempts,
  };
}

/**
 * The unmodified SDK clients, created once, with credentials from integration-aws-node
 * and the SDK's standard retry strategy (it backs off on Throttling and
 * PriorRequestNotComplete and never retries a rejected change batch).
 */
export class AwsClients {
  private readonly route53Clients = new Map<string, Promise<Route53Client>>();
  private eksClient?: Promise<EKSClient>;
  private cloudWatchClient?: Promise<CloudWatchClient>;

  constructor(
    private readonly settings: AwsClientSettings,
    private readonly credentialsManager: AwsCredentialsManager,
  ) {}

  private async clientConfig(accountId = this.settings.accountId) {
    const { sdkCredentialProvider } =
      await this.credentialsManager.getCredentialProvider({ accountId });
    return {
      region: this.settings.region,
      endpoint: this.settings.endpoint,
      maxAttempts: this.settings.maxAttempts,
      credentials: sdkCredentialProvider,
    };
  }

  /**
   * The Route 53 client of an account (a zone's configured account), else of
   * bluegreen.aws.accountId.
   */
  route53(accountId?: string): Promise<Route53Client> {
    const key = accountId ?? '';
    let client = this.route53Clients.get(key);
    if (!client) {
      client = this.clientConfig(accountId ?? this.settings.accountId).then(
        c => new Route53Client(c),
        error => {
          this.route53Clients.delete(key); // the next call tries again
          throw error;
        },
      );
      this.route53Clients.set(key, client);
    }
    return client;
  }

  eks(): Promise<EKSClient> {
    this.eksClient ??= this.clientConfig().then(
      c => new EKSClient(c),
      error => {
        this.eksClient = undefined;
        throw error;
      },
    );
    return this.eksClient;
  }

  /** CloudWatch of bluegreen.aws.accountId and region: the load balancers' metrics. */
  cloudWatch(): Promise<CloudWatchClient> {
    this.cloudWatchClient ??= this.clientConfig().then(
      c => new CloudWatchClient(c),
      error => {
        this.cloudWatchClient = undefined;
        throw error;
      },
    );
    return this.cloudWatchClient;
  }
}
