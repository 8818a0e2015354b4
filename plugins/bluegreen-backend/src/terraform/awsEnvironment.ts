import { AwsCredentialsManager } from '@backstage/integration-aws-node';

/**
 * AWS credentials for the CLI's AWS provider, from the backend's `aws` configuration
 * (@backstage/integration-aws-node): the main account, or `accountId`'s entry in
 * `aws.accounts`. Empty when the backend has no AWS configuration, so the CLI then sees
 * no AWS credentials at all rather than the backend process's own.
 */
export async function awsEnvironment(
  manager: AwsCredentialsManager | undefined,
  accountId?: string,
): Promise<Record<string, string>> {
  if (!manager) {
    return {};
  }
  const provider = await manager.getCredentialProvider(
    accountId ? { accountId } : {},
  );
  const credentials = await provider.sdkCredentialProvider();
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken
      ? { AWS_SESSION_TOKEN: credentials.sessionToken }
      : {}),
    ...(provider.stsRegion ? { AWS_REGION: provider.stsRegion } : {}),
  };
}
