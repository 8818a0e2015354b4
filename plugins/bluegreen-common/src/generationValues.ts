import { z } from 'zod/v3';
import { AWS_COMMERCIAL_REGIONS } from './awsRegions';
import { compareKubernetesVersions } from './eksVersions';
import { weightsSchema } from './weights';

/** A DNS label of at most 40 characters: it prefixes cluster, VPC and zone names. */
const ENVIRONMENT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const DOMAIN =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const STATE_KEY_PREFIX = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;
// None of the patterns below admits a quote, backslash, whitespace or `$`: the values are
// rendered into HCL strings and YAML scalars.
const HOST = String.raw`[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*`;
/** A URL path segment or repository name, not `.` or `..`. */
const NAME = String.raw`(?!\.\.?(?:/|$))[A-Za-z0-9._-]+`;
const GIT_ORG_URL = new RegExp(
  String.raw`^(?:https://${HOST}(?:/${NAME})*|git@${HOST}:${NAME}(?:/${NAME})*)$`,
);
const REPO_NAME = new RegExp(`^${NAME}$`);
/** The rules of `git check-ref-format` that matter for this character set. */
const GIT_REF =
  /^(?![-/])(?!.*\.\.)(?!.*\/\/)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9._/-]{1,255}$/;
const PATH_SEGMENT = String.raw`(?!\.\.(?:/|$))[A-Za-z0-9._-]+`;
const RELATIVE_PATH = new RegExp(
  String.raw`^${PATH_SEGMENT}(?:/${PATH_SEGMENT})*/?$`,
);
/** A catalog entity ref, `[kind:][namespace/]name`, each part a Backstage name. */
const ENTITY_NAME = '[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?';
const ENTITY_REF = new RegExp(
  `^(?:${ENTITY_NAME}:)?(?:${ENTITY_NAME}/)?${ENTITY_NAME}$`,
);
/** RepoUrlPicker's form: `host?owner=o&repo=r`, maybe with organization, workspace, project. */
const REPO_URL = new RegExp(
  String.raw`^${HOST}\?(?<query>[A-Za-z]+=[A-Za-z0-9._-]+(?:&[A-Za-z]+=[A-Za-z0-9._-]+)*)$`,
);

function isRepoUrl(value: string): boolean {
  const query = REPO_URL.exec(value)?.groups?.query;
  if (query === undefined) {
    return false;
  }
  const params = new URLSearchParams(query);
  return ['owner', 'repo'].every(key => REPO_NAME.test(params.get(key) ?? ''));
}

const gitOrgUrl = z
  .string()
  .regex(
    GIT_ORG_URL,
    'must be a git organisation URL: https://host[/path] without a trailing slash, or git@host:org',
  );
const repoName = z
  .string()
  .regex(
    REPO_NAME,
    'must be a repository name: A-Z a-z 0-9 . _ - (not . or ..)',
  );
const gitRef = z
  .string()
  .regex(
    GIT_REF,
    'must be a git branch, tag or commit: 1-255 of A-Z a-z 0-9 . _ / -, without "..", "//", a leading "-" or "/", or a trailing "/" or ".lock"',
  );
const relativePath = z
  .string()
  .regex(
    RELATIVE_PATH,
    'must be a relative path in the repository: segments of A-Z a-z 0-9 . _ -, none of them ..',
  );

/**
 * Zod schema of the values of the "Create new cluster generation" template, given the
 * Kubernetes versions EKS supports on the day (from EKS or the versions table). Every
 * message names the rule; paths name the field.
 * @public
 */
export function generationValuesSchema(supportedVersions: readonly string[]) {
  const version = z.string().refine(v => supportedVersions.includes(v), {
    message: `must be a Kubernetes version EKS supports today: ${supportedVersions.join(
      ', ',
    )}`,
  });
  return z
    .object({
      aws_region: z.enum(AWS_COMMERCIAL_REGIONS, {
        errorMap: () => ({ message: 'must be an AWS commercial region' }),
      }),
      environment_name: z
        .string()
        .max(40, 'must be at most 40 characters')
        .regex(
          ENVIRONMENT_NAME,
          'must be a DNS label: lower-case letters, digits and hyphens, starting and ending with a letter or digit',
        ),
      hosted_zone_name: z
        .string()
        .regex(
          DOMAIN,
          'must be the domain name of an existing public hosted zone, such as example.com (lower case, no trailing dot)',
        ),
      eks_admin_role_name: z
        .string()
        .regex(
          IAM_ROLE_NAME,
          'must be an IAM role name (1-64 of A-Z a-z 0-9 +=,.@_-)',
        ),
      aws_secret_manager_git_private_ssh_key_name: z
        .string()
        .regex(SECRET_NAME, 'must be a Secrets Manager secret name'),
      gitops_workloads_org: gitOrgUrl,
      gitops_workloads_repo: repoName,
      gitops_workloads_revision: gitRef,
      gitops_workloads_path: relativePath,
      gitops_addons_org: gitOrgUrl,
      gitops_addons_repo: repoName,
      gitops_addons_basepath: relativePath,
      gitops_addons_path: relativePath,
      gitops_addons_revision: gitRef,
      kubernetes_versions: z
        .object({ blue: version, green: version })
        .strict()
        .superRefine((versions, ctx) => {
          if (
            supportedVersions.includes(versions.blue) &&
            supportedVersions.includes(versions.green) &&
            compareKubernetesVersions(versions.green, versions.blue) < 0
          ) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: ['green'],
              message: `must not be older than blue (${versions.blue}): green is the new generation`,
            });
          }
        }),
      initial_weights: weightsSchema,
      record_ttl: z
        .number({ invalid_type_error: 'must be a number' })
        .int('must be a whole number of seconds')
        .min(1, 'must be at least 1 second')
        .max(172800, 'must be at most 172800 seconds (2 days)'),
      state_bucket: z
        .string()
        .regex(S3_BUCKET, 'must be an S3 bucket name (3-63 of a-z 0-9 . -)'),
      state_key_prefix: z
        .string()
        .regex(
          STATE_KEY_PREFIX,
          'must be an S3 key prefix without leading or trailing slash',
        ),
      state_region: z.enum(AWS_COMMERCIAL_REGIONS, {
        errorMap: () => ({ message: 'must be an AWS commercial region' }),
      }),
      owner: z
        .string()
        .regex(
          ENTITY_REF,
          'must be an entity reference [kind:][namespace/]name such as group:default/team-burnham, each part 1-63 of A-Z a-z 0-9 - _ . starting and ending with a letter or digit',
        ),
      repoUrl: z.string().refine(isRepoUrl, {
        message:
          'must be a repository location host?owner=o&repo=r such as github.com?owner=acme&repo=clusters: host a DNS name, parameter values of A-Z a-z 0-9 . _ -',
      }),
    })
    .strict();
}

/** @public */
export type GenerationValues = z.infer<
  ReturnType<typeof generationValuesSchema>
>;
