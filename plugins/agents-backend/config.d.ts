import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Configuration of the Agents for Backstage backend. */
  agents?: {
    sessions?: {
      /**
       * Prefix of the branch each session works on; the session id's first block is appended.
       * @default agents/
       */
      workBranchPrefix?: string;
    };

    /**
     * The cluster harness pods run in. Without this section sessions are stored but not run.
     */
    kubernetes?: {
      /**
       * A cluster of Backstage's Kubernetes plugin (`kubernetes.clusterLocatorMethods`, type config,
       * authProvider serviceAccount), by name, instead of inCluster or kubeconfig: its url, caData or
       * caFile, skipTLSVerify and serviceAccountToken (none: the pod's own service account).
       */
      cluster?: string;
      /** Use the pod's service account (production). */
      inCluster?: boolean;
      /** A kubeconfig file; the default loading rules apply when neither this nor inCluster is set. */
      kubeconfig?: string;
      /** A context of the kubeconfig. */
      context?: string;
      /**
       * The namespace harness pods run in.
       * @default agents
       */
      namespace?: string;
      /** The harness image when a policy names none. */
      defaultImage?: string;
      /** How long a finished pod is kept before it is deleted. Default 10 minutes. */
      finishedPodTtl?: HumanDuration | string;
      /** How often the reconciler re-lists pods and sessions on top of its watch. Default 30 seconds. */
      resyncInterval?: HumanDuration | string;
      /**
       * How long the reconciler's lease lasts unless its holder renews it (every third of it). A
       * replica that dies holding it is replaced this long after. Default 15 seconds.
       */
      reconcilerLease?: HumanDuration | string;
      /**
       * The agents API as harness pods reach it, for bundle transfers, e.g.
       * http://backstage.backstage.svc.cluster.local:7007/api/agents. Defaults to the plugin's
       * internal base URL from discovery.
       */
      backendUrl?: string;
    };

    github?: {
      /**
       * Sessions started from GitHub issues, through Backstage's events system (install
       * @backstage/plugin-events-backend and -module-github; GitHub posts to /api/events/http/github).
       */
      triggers?: {
        /** @default true */
        enabled?: boolean;
        /** An issue labelled with this starts a session. @default agents */
        label?: string;
        /** A comment starting with this starts a session; the rest is an extra instruction. @default /agent */
        command?: string;
      };
    };

    /** Where session bundles (snapshots of a harness's state) are kept. */
    bundles?: {
      /**
       * `database` (default): chunked rows in Backstage's database. `s3`: an S3-compatible object
       * store, configured below. A backend module can replace both.
       */
      store?: 'database' | 's3';
      s3?: {
        bucket: string;
        /** Prepended to every object key, e.g. agents/bundles/ */
        prefix?: string;
        region?: string;
        /** For S3-compatible stores (MinIO, Ceph…): their endpoint URL. */
        endpoint?: string;
        /** Path-style URLs, as most S3-compatible stores need. */
        forcePathStyle?: boolean;
        /** Static credentials; without them the AWS SDK's default chain applies (IRSA, instance roles). */
        accessKeyId?: string;
        /** @visibility secret */
        secretAccessKey?: string;
      };
      /**
       * How long after its run ends a run token may still transfer bundles (a cancelled run uploads
       * during its grace period). Default 2 minutes.
       */
      uploadGrace?: HumanDuration | string;
    };

    /**
     * The model each real harness uses: where its API is (`baseUrl`), which model (`model`), and the
     * Secret holding the key (`credentialsSecret`). The harness image's adapters need `baseUrl` and
     * the key, and OpenCode also `model`: a run without them fails before it clones anything, naming
     * the missing setting. A malformed value stops the backend at start-up. The pod never gets a key
     * as a plain value, only from the Secret. The policy's egress profile must let the pods reach
     * `baseUrl` (docs/deploy.md, "Egress").
     */
    harnesses?: {
      /** OpenCode: speaks the OpenAI chat-completions API (an OpenAI-compatible provider). */
      opencode?: {
        /**
         * The provider's base URL, with its `/v1` (OpenAI-compatible: the CLI appends
         * `/chat/completions`), e.g. https://api.openai.com/v1 or an internal gateway's. Pod env
         * AGENTS_MODEL_BASE_URL.
         */
        baseUrl?: string;
        /**
         * The model name as the provider knows it, e.g. gpt-5 (OpenCode's provider `agents` serves
         * it as agents/<model>). Required by OpenCode. Pod env AGENTS_HARNESS_MODEL.
         */
        model?: string;
        /**
         * A Secret in the agents namespace (created by the platform team; the backend never reads
         * it) whose keys become the agent's environment through envFrom: `OPENAI_API_KEY`.
         */
        credentialsSecret?: string;
        /** The model's price in US dollars per million tokens; a run's reported usage is costed with it. */
        price?: { inputPerMillionTokens: number; outputPerMillionTokens: number };
      };
      /** Claude Code: speaks the Anthropic Messages API. */
      'claude-code'?: {
        /**
         * The provider's base URL without `/v1` (Claude Code appends `/v1/messages`), e.g.
         * https://api.anthropic.com or an internal gateway's. Pod env AGENTS_MODEL_BASE_URL.
         */
        baseUrl?: string;
        /** The model name, e.g. claude-sonnet-4-5; the CLI's default when unset. Pod env AGENTS_HARNESS_MODEL. */
        model?: string;
        /**
         * A Secret in the agents namespace (created by the platform team; the backend never reads
         * it) whose keys become the agent's environment through envFrom: `ANTHROPIC_API_KEY`.
         */
        credentialsSecret?: string;
        /** The model's price in US dollars per million tokens; a run's reported usage is costed with it. */
        price?: { inputPerMillionTokens: number; outputPerMillionTokens: number };
      };
      /** The OpenAI Codex CLI: speaks the OpenAI Responses API. */
      codex?: {
        /**
         * The provider's base URL, with its `/v1` (the CLI appends `/responses`), e.g.
         * https://api.openai.com/v1. Pod env AGENTS_MODEL_BASE_URL.
         */
        baseUrl?: string;
        /** The model name, e.g. gpt-5-codex; the CLI's default when unset. Pod env AGENTS_HARNESS_MODEL. */
        model?: string;
        /**
         * A Secret in the agents namespace (created by the platform team; the backend never reads
         * it) whose keys become the agent's environment through envFrom: `OPENAI_API_KEY`.
         */
        credentialsSecret?: string;
        /** The model's price in US dollars per million tokens; a run's reported usage is costed with it. */
        price?: { inputPerMillionTokens: number; outputPerMillionTokens: number };
      };
      /**
       * A deterministic stand-in that edits the repository without any model, so a development
       * setup shows the whole flow. Never enable it in production.
       */
      demo?: {
        /** @default false */
        enabled?: boolean;
      };
    };

    git?: {
      /**
       * Rewrites of repository URLs resolved from catalog annotations, like git's
       * `url.<to>.insteadOf <from>`: for mirrors, proxies, or local repositories in development.
       * The longest matching `from` prefix wins.
       */
      rewrites?: Array<{
        /** A URL prefix, e.g. https://github.com/example-org/ */
        from: string;
        /** What replaces it, e.g. https://git-mirror.internal/example-org/ */
        to: string;
      }>;
    };

    /** Limits of the REST API that keep one client from exhausting the backend. */
    limits?: {
      /**
       * The largest JSON request body, in bytes; larger ones are refused with 413 before they are
       * read. Bundle uploads are not concerned: the policy's maxBundleSize limits them.
       * @default 1048576
       */
      maxRequestBodyBytes?: number;
      /**
       * The event streams (session logs) one user or service may hold open at once; more are
       * refused with 429 and a Retry-After header until one closes.
       * @default 20
       */
      maxStreamsPerUser?: number;
    };

    /**
     * Named policies. `default` applies when nothing is bound; the others inherit its values and
     * override what they set. Callers never choose a policy: templates are bound to them below.
     */
    policies?: {
      [name: string]: {
        /**
         * Harnesses sessions under this policy may run: opencode, claude-code, codex, and demo where
         * agents.harnesses.demo.enabled is true.
         */
        allowedHarnesses?: Array<'opencode' | 'claude-code' | 'codex' | 'demo'>;
        /** The harness used when a request names none. */
        defaultHarness?: 'opencode' | 'claude-code' | 'codex' | 'demo';
        /**
         * The egress profile of the harness pods: github-only, internet, or a custom allowlist
         * shipped as NetworkPolicies.
         */
        egressProfile?: string;
        /** The harness image. */
        image?: string;
        resources?: {
          /** CPU limit, e.g. "2". */
          cpu?: string;
          /** Memory limit, e.g. "4Gi". */
          memory?: string;
          /** Ephemeral storage limit, e.g. "10Gi". */
          ephemeralStorage?: string;
        };
        /** How long one run may take before it is stopped as timed out. */
        timeout?: HumanDuration | string;
        /** A RuntimeClass for stronger isolation, e.g. gvisor or kata. */
        runtimeClassName?: string;
        /** Runs at once for one entity; more wait as pending. */
        maxConcurrentPerEntity?: number;
        /** Runs at once across the installation; more wait as pending. */
        maxConcurrentGlobal?: number;
        /** Runs at once on entities owned by one group (the entity's spec.owner); more wait as pending. */
        maxConcurrentPerOwner?: number;
        /** The longest prompt or follow-up, in characters; at most (and by default) 32000. */
        maxPromptLength?: number;
        /**
         * Whether entities may choose this policy with the `agents.backstage.io/policy` annotation
         * (default false; `default` always may). A template binding still wins.
         */
        selectableByEntities?: boolean;
        /** Whether pull requests are opened as drafts. */
        draftPullRequest?: boolean;
        /** The largest session bundle a run may upload: bytes, or a quantity like 512Mi (default 1Gi). */
        maxBundleSize?: number | string;
        /**
         * Log lines a run may persist per second, averaged over 10-second windows of the pod's
         * timestamps (a short burst passes). Lines beyond it are dropped, and one line per window
         * in the session's log says how many; the harness's result line is always kept.
         * @default 1000
         */
        logLinesPerSecond?: number;
        /**
         * Backstage notifications to a session's creator (a user; sessions services create are not
         * notified) when it ends, linked to its page. A fan-out notifies once, when its last task ends,
         * with its tasks' counts; its tasks are not notified one by one. Needs the notifications backend.
         */
        notifications?: {
          /** Whether to notify at all (default true). */
          enabled?: boolean;
          /** The outcomes notified (default succeeded, failed and timed_out). */
          on?: Array<'succeeded' | 'failed' | 'cancelled' | 'timed_out'>;
        };
        /**
         * The cluster this policy's sessions run on: a cluster of `kubernetes.clusterLocatorMethods`
         * (type config) by name. Default: agents.kubernetes's cluster.
         */
        cluster?: string;
      };
    };

    /** Binds software templates to policies; sessions a template launches run under its policy. */
    templatePolicies?: Array<{
      /** The template's entity ref, e.g. template:default/fix-issue. */
      template: string;
      /** A name under agents.policies. */
      policy: string;
    }>;

    /**
     * Monthly token and cost budgets per owning group of the entities (calendar month, UTC), summed
     * from the usage the runs recorded. An owner's own entry replaces the default as a whole.
     */
    budgets?: {
      /** The budget of every owner without an entry under owners; none when absent. */
      default?: AgentsOwnerBudgetConfig;
      owners?: Array<
        AgentsOwnerBudgetConfig & {
          /** The owning group's entity ref, e.g. group:default/team-a (kind and namespace default to group and default). */
          owner: string;
        }
      >;
    };
  };
}

/** One monthly budget: tokens, US dollars, or both; the first one used up counts. */
interface AgentsOwnerBudgetConfig {
  /** Input plus output tokens a month. */
  monthlyTokens?: number;
  /** US dollars a month, from the runs' recorded cost (harnesses with a price). */
  monthlyCostUsd?: number;
  /** refuse (default): new sessions are refused with 403; queue: they wait, pending, until the month turns or the budget is raised. */
  onExceeded?: 'refuse' | 'queue';
}
