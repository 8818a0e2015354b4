export interface Config {
  bluegreen?: {
    /** The AWS APIs the backend reads and writes (Route 53, EKS). */
    aws?: {
      /**
       * The `aws.accounts` entry whose credentials are used (integration-aws-node).
       * Default: the main account, else the SDK's default credential chain.
       */
      accountId?: string;
      /** Region of the EKS API and of request signing. Default us-east-1. */
      region?: string;
      /**
       * Send Route 53 and EKS requests here instead of AWS: only for a local stand-in
       * such as the example sandbox.
       */
      endpoint?: string;
      /** Attempts per request, with the SDK's backoff on throttling. Default 8. */
      maxAttempts?: number;
    };
    traffic?: {
      /** How long a Route 53 read of a hostname is reused by status reads. Default 10. */
      cacheSeconds?: number;
    };
    cutover?: {
      /** The cutover template the API starts. Default template:default/cut-over-traffic. */
      templateRef?: string;
    };
    terraform?: {
      /**
       * The Terraform-compatible CLI: `tofu`, `terraform`, or an absolute path. Default:
       * whichever of tofu and terraform is on the backend's PATH.
       */
      binary?: string;
      /**
       * How long a cancelled or interrupted CLI gets to stop after SIGINT (so that it
       * releases the state lock) before it is killed. Default 60.
       */
      cancelGracePeriodSeconds?: number;
      /**
       * A resource still in progress after this long is treated as stalled: the apply is
       * interrupted and run once more (the EKS CoreDNS add-on can hang on creation).
       * Default 30.
       */
      stallTimeoutMinutes?: number;
    };
  };
}
