import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { readDurationFromConfig } from '@backstage/config';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { IssueTriggers, readTriggerSettings } from './github/IssueTriggers';
import { Duration } from 'luxon';
import { agentsPermissions, isTerminalStatus } from '@backstage-agents/plugin-agents-common';
import {
  agentsBundleStoreExtensionPoint,
  agentsHarnessProvidersExtensionPoint,
  agentsPolicyResolverExtensionPoint,
  agentsSessionPermissionRules,
  agentsSessionResourceRef,
  type BundleStore,
  type HarnessProvider,
  type PolicyResolver,
  readRepoUrlRewrites,
} from '@backstage-agents/plugin-agents-node';
import { BundleService } from './bundles/BundleService';
import { DatabaseBundleStore } from './bundles/DatabaseBundleStore';
import { S3BundleStore } from './bundles/S3BundleStore';
import { AgentsDatabase } from './database/AgentsDatabase';
import { forwardSessionSignals } from './events/forwardSessionSignals';
import { SessionEventHub } from './events/SessionEventHub';
import { builtinHarnessProviders } from './harnesses/builtinHarnessProviders';
import { readHarnessPrices } from './harnesses/harnessPrices';
import { createBundleRouter } from './router/bundleRouter';
import { GitHubClients } from './github/GitHubClients';
import { IntegrationBranches } from './github/IntegrationBranches';
import { PullRequestService } from './github/PullRequestService';
import { RunGitTokens } from './github/RunGitTokens';
import { SessionLogs } from './logs/SessionLogs';
import { SessionEndNotifier } from './notifications/SessionEndNotifier';
import { ScmIntegrations } from '@backstage/integration';
import { SessionAuthorizer } from './permissions/SessionAuthorizer';
import { ConfigPolicyResolver } from './policy/ConfigPolicyResolver';
import { createRouter } from './router/createRouter';
import { UsageService } from './service/UsageService';
import { AgentsRuntime } from './runtime/AgentsRuntime';
import { readClusterSettings } from './runtime/clusterConfig';
import { DatabaseLease } from './runtime/ReconcilerLease';
import { FanOutWaves } from './service/FanOutWaves';
import { SessionService } from './service/SessionService';
import { BudgetGuard } from './budgets/BudgetGuard';
import { BudgetHolds } from './budgets/BudgetHolds';
import { BudgetUsageStore } from './budgets/BudgetUsageStore';
import { OwnerBudgets } from './budgets/OwnerBudgets';

/**
 * The agents backend plugin: durable coding-agent sessions and their REST API under /api/agents.
 *
 * @public
 */
export const agentsPlugin = createBackendPlugin({
  pluginId: 'agents',
  register(env) {
    const harnessProviders = new Map<string, HarnessProvider>();
    let bundleStore: BundleStore | undefined;
    let policyResolver: PolicyResolver | undefined;

    env.registerExtensionPoint(agentsHarnessProvidersExtensionPoint, {
      addHarnessProvider(provider) {
        if (harnessProviders.has(provider.name)) {
          throw new Error(`Harness provider ${provider.name} is already registered`);
        }
        harnessProviders.set(provider.name, provider);
      },
    });
    env.registerExtensionPoint(agentsBundleStoreExtensionPoint, {
      setBundleStore(store) {
        if (bundleStore) throw new Error('A bundle store is already set');
        bundleStore = store;
      },
    });
    env.registerExtensionPoint(agentsPolicyResolverExtensionPoint, {
      setPolicyResolver(resolver) {
        if (policyResolver) throw new Error('A policy resolver is already set');
        policyResolver = resolver;
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auditor: coreServices.auditor,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        discovery: coreServices.discovery,
        signals: signalsServiceRef,
        notifications: notificationService,
        events: eventsServiceRef,
        auth: coreServices.auth,
        metrics: metricsServiceRef,
      },
      async init({
        config,
        logger,
        database,
        httpRouter,
        httpAuth,
        auditor,
        permissions,
        permissionsRegistry,
        catalog,
        scheduler,
        lifecycle,
        discovery,
        signals,
        notifications,
        events,
        auth,
        metrics,
      }) {
        // Every status a write sets is announced on the one event hub, which forwards it as a signal.
        const hub = new SessionEventHub();
        forwardSessionSignals(hub, signals, logger);
        const db = await AgentsDatabase.create({
          database,
          onStatusChanges: changes => hub.publishStatus(...changes),
        });
        for (const provider of builtinHarnessProviders(config)) {
          // A module's provider for the same harness replaces the built-in one.
          if (!harnessProviders.has(provider.name)) harnessProviders.set(provider.name, provider);
        }
        const bundleContent =
          bundleStore ??
          (config.getOptionalString('agents.bundles.store') === 's3'
            ? S3BundleStore.fromConfig(config)
            : new DatabaseBundleStore(db.client));
        const bundles = new BundleService({
          records: db.bundleRecords,
          store: bundleContent,
          logger,
          uploadGraceMs: config.has('agents.bundles.uploadGrace')
            ? Duration.fromObject(
                readDurationFromConfig(config, { key: 'agents.bundles.uploadGrace' }),
              ).toMillis()
            : 2 * 60_000,
        });
        permissionsRegistry.addResourceType({
          resourceRef: agentsSessionResourceRef,
          permissions: agentsPermissions,
          rules: Object.values(agentsSessionPermissionRules),
          getResources: refs => Promise.all(refs.map(id => db.sessions.getSession(id))),
        });
        const authorizer = new SessionAuthorizer(
          permissions,
          permissionsRegistry.getPermissionRuleset(agentsSessionResourceRef),
        );
        const integrations = ScmIntegrations.fromConfig(config);
        const githubClients = new GitHubClients({ integrations, logger });
        const sessionLogs = new SessionLogs(db.logChunks, hub);
        const pullRequests = new PullRequestService({
          clients: githubClients,
          integrations,
          sessions: db.sessions,
          pullRequests: db.pullRequests,
          logs: sessionLogs,
          hub,
          logger,
          appBaseUrl:
            config.getOptionalString('app.baseUrl') ??
            config.getOptionalString('backend.baseUrl') ??
            '',
        });
        // A finished session's pushed branch gets its pull request; the task below catches up on
        // any sync this replica missed.
        // Then its creator hears of its end, with the pull request's link (once per end: see the notifier).
        const notifier = new SessionEndNotifier({
          sessions: db.sessions,
          notifications,
          logger,
          appBaseUrl: config.getOptionalString('app.baseUrl') ?? '',
        });
        hub.on('status', ({ session }) => {
          if (isTerminalStatus(session.status)) {
            void pullRequests.sync(session.id).then(() => notifier.sessionEnded(session));
          }
        });
        const ownerBudgets = OwnerBudgets.fromConfig(config);
        const budgetGuard = ownerBudgets.any
          ? new BudgetGuard(ownerBudgets, new BudgetUsageStore(db.client))
          : undefined;
        const clusterSettings = readClusterSettings(config);
        const runtime = clusterSettings
          ? new AgentsRuntime({
              settings: clusterSettings,
              db,
              hub,
              logger,
              harnessProviders,
              apiUrl: clusterSettings.backendUrl ?? (await discovery.getBaseUrl('agents')),
              gitTokens: new RunGitTokens(githubClients, integrations),
              metrics,
              prices: readHarnessPrices(config),
              budgetHolds: budgetGuard
                ? new BudgetHolds({ guard: budgetGuard, store: new BudgetUsageStore(db.client), auditor, logger })
                : undefined,
            })
          : undefined;
        if (!runtime) {
          logger.warn('agents.kubernetes is not configured: sessions are stored but not run');
        }
        const configPolicies = ConfigPolicyResolver.fromConfig(config);
        const integrationBranches = new IntegrationBranches({ clients: githubClients, integrations });
        const sessions = new SessionService({
          store: db.sessions,
          transitions: db.transitions,
          catalog,
          policyResolver: policyResolver ?? configPolicies,
          authorizer,
          workBranchPrefix:
            config.getOptionalString('agents.sessions.workBranchPrefix') ?? 'agents/',
          repoUrlRewrites: readRepoUrlRewrites(config),
          runtime,
          integrationBranches,
          budgets: budgetGuard,
        });
        // Fan-outs in waves move on when a task finishes: its pull request first, then the merge.
        const fanOutWaves = new FanOutWaves({
          sessions: db.sessions,
          waves: db.waves,
          transitions: db.transitions,
          branches: integrationBranches,
          pullRequests,
          hub,
          logs: sessionLogs,
          runtime,
          logger,
        });
        fanOutWaves.subscribe();
        if (runtime && clusterSettings) {
          const lease = new DatabaseLease({ store: db.leases, ttlMs: clusterSettings.leaseMs, logger });
          runtime.start(lease);
          // A replica shutting down (a rolling update) hands the reconciler over at once.
          lifecycle.addShutdownHook(() => lease.stop());
        }
        // A wave finished while no replica ran (a crash between a task's end and the merge).
        void fanOutWaves.catchUp().catch(error => logger.warn(`Catching up on fan-out waves failed: ${error}`));
        await new IssueTriggers({
          settings: readTriggerSettings(config),
          sessions,
          catalog,
          auth,
          deliveries: db.webhookDeliveries,
          logger,
        }).subscribe(events);
        // Not awaited: an unreachable cluster must not hold up the backend's start.
        void runtime?.egressPolicies.checkAtStartup(configPolicies.egressProfiles());
        await scheduler.scheduleTask({
          id: 'agents-pull-requests',
          frequency: { minutes: 1 },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 30 },
          fn: async () => {
            try {
              await pullRequests.catchUp({ refreshOlderThanMinutes: 5 });
            } finally {
              await fanOutWaves.catchUp();
            }
          },
        });
        await scheduler.scheduleTask({
          id: 'agents-bundle-gc',
          frequency: { minutes: 30 },
          timeout: { minutes: 5 },
          initialDelay: { minutes: 1 },
          fn: async () => {
            const removed = await bundles.collectGarbage();
            if (removed) logger.info(`Removed ${removed} abandoned bundle uploads`);
          },
        });

        // The API description is public, as for Backstage's own plugins' documentation.
        httpRouter.addAuthPolicy({ path: '/openapi.json', allow: 'unauthenticated' });
        // Harness pods authenticate bundle transfers with their run token instead.
        httpRouter.addAuthPolicy({ path: '/runs', allow: 'unauthenticated' });
        httpRouter.use(createBundleRouter({ bundles, logger, config }));
        httpRouter.use(
          await createRouter({
            sessions,
            usage: new UsageService({ store: db.usage, authorizer }),
            db,
            hub,
            httpAuth,
            auditor,
            logger,
            config,
          }),
        );
        logger.info(
          `Agents backend ready (harness providers: ${[...harnessProviders.keys()].join(', ') || 'none yet'}; bundle store: ${bundleContent.name})`,
        );
      },
    });
  },
});
