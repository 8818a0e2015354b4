export interface Config {
  bluegreen?: {
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
