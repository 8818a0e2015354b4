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
      /**
       * How often one user may skip the cache with `?refresh=true`; inside this window
       * the cached read is served. Default 5.
       */
      refreshIntervalSeconds?: number;
      /**
       * How the clusters' external-dns names its TXT registry records, to tell records it
       * owns (their weight must change at the source). Set what its --txt-prefix or
       * --txt-suffix is (%{record_type} allowed); not both.
       */
      externalDns?: {
        txtPrefix?: string;
        txtSuffix?: string;
      };
      /**
       * The hosted zones the backend may read and change. An entity naming a zone or a
       * hostname outside this list is refused (status reads and cutovers alike); without
       * the list nothing is allowed.
       */
      hostedZones?: Array<{
        /** The zone, by id (Z...) or by name (example.com). */
        zone: string;
        /** The aws.accounts entry whose credentials read and change this zone. */
        accountId?: string;
        /**
         * The hostnames an entity may name in this zone: exact names or `*.suffix` (any
         * name ending in .suffix). Default: any name in the zone.
         */
        hostnames?: string[];
      }>;
    };
    generations?: {
      /**
       * The repositories a generation may be fetched from (and proposed to): an entity
       * naming a repository outside this list is refused; without it nothing is allowed.
       */
      repositories?: Array<{
        /** The SCM host, e.g. github.com. */
        host: string;
        /** The organisation or user on that host. Default: any. */
        owner?: string;
        /**
         * The aws.accounts entry (12 digits) whose credentials the Terraform CLI gets for
         * this repository's generations. Default: aws.mainAccount.
         */
        awsAccountId?: string;
      }>;
    };
    cutover?: {
      /** The cutover template the API starts. Default template:default/cut-over-traffic. */
      templateRef?: string;
      /**
       * How long a record group's cutover lease lasts without renewal: a crashed
       * holder's lease lapses after this. Default 60.
       */
      leaseSeconds?: number;
      /** Staged cutover runs (Route 53 mode), driven by the plugin's engine. */
      staged?: {
        /** How often each hold is verified (the direct probes). Default 10. */
        probeIntervalSeconds?: number;
        /**
         * How long one verification's checks may take: the direct probe or workloads
         * check that does not finish fails the hold; an informative one is noted. Default 30.
         */
        verifyTimeoutSeconds?: number;
        /** The INSYNC part of the DNS floor: how long Route 53 may take. Default 60. */
        insyncSeconds?: number;
        /**
         * Overrides the record's effective TTL in the DNS floor (default: the record's
         * TTL, 60 for ELB aliases). Only for scaled-down sandboxes and benchmarks.
         */
        ttlSeconds?: number;
        /** How long a step's write may wait for INSYNC before it fails. Default 300. */
        insyncTimeoutSeconds?: number;
        /** A run paused longer than this rolls back in stages. Default 60. */
        maxPauseMinutes?: number;
        /** When a cluster's direct probe fails a hold. */
        probe?: {
          /** Requests per cluster per verification. Default 20. */
          requests?: number;
          /** Share that must answer 2xx (a redirect fails), 0 to 1. Default 0.99. */
          minSuccessRatio?: number;
          /** Largest p95 latency allowed, ms. Default 1000. */
          maxP95Ms?: number;
          /** Per request, ms. Default 2000. */
          timeoutMs?: number;
        };
        /**
         * Where to probe a load balancer instead of https://<its DNS name>: an internal
         * address, or the example's local stand-ins.
         */
        loadBalancers?: Array<{
          dnsName: string;
          url?: string;
          /** Its CloudWatch `LoadBalancer` dimension (app/<name>/<id>), for the CloudWatch check. */
          cloudWatchDimension?: string;
        }>;
        /**
         * The CloudWatch check of each serving cluster's Application Load Balancer
         * (those with a cloudWatchDimension) since the step took effect. Off unless set.
         */
        cloudWatch?: {
          /** Target 5xx / RequestCount allowed, 0 to 1. Default 0.01. */
          max5xxRatio?: number;
          /** Highest per-period TargetResponseTime p95 allowed, ms. Default 1000. */
          maxP95Ms?: number;
          /** The metrics' period, seconds. Default 60 (ALB metrics). */
          periodSeconds?: number;
        };
        /**
         * The DNS check: queries of the weighted record sent straight to the zone's
         * name servers, counted per set identifier. Off unless servers are listed.
         */
        dns?: {
          /** The hosted zone's name servers (its delegation set), host or host:port. */
          servers?: string[];
          /** Queries per verification. Default 20. */
          queries?: number;
        };
        /**
         * The seed's check: requests to the hostname, resolved as users resolve it,
         * counted by the cluster that answered (CLUSTER_NAME or x-cluster-name).
         * Shown during every hold; a gate for the final step once its TTL has passed.
         */
        share?: {
          /** Requests per verification; 0 turns the check off. Default 20. */
          requests?: number;
          /** Resolve the hostname through these servers instead of the system resolver. */
          servers?: string[];
          /** How far the final step's share may be from the expected one, 0 to 1. Default 0.1. */
          tolerance?: number;
        };
        /**
         * gitops-mode steps: each runs the cutover template (bluegreen.cutover.templateRef)
         * as a task started by the plugin, then waits for the weights to reach the Argo CD
         * cluster secrets, the Ingresses and Route 53.
         */
        gitops?: {
          /** A step's task is cancelled, and the step fails, after this long. Default 30. */
          taskTimeoutMinutes?: number;
          /** A hop whose weights do not arrive within this long fails the step. Default 600. */
          hopTimeoutSeconds?: number;
          /** How often the task and the hops are looked at. Default 5. */
          pollSeconds?: number;
        };
      };
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
      /**
       * Pass the backend's HTTP(S)_PROXY and NO_PROXY variables to the CLI (for provider
       * downloads behind a proxy). Default false: a proxy URL can carry credentials.
       */
      passProxyVariables?: boolean;
    };
  };
}
