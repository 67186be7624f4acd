import { forbidden } from './statusErrors';

/**
 * Pod Security Admission, as the real API server's built-in admission plugin applies it: a namespace
 * labelled `pod-security.kubernetes.io/enforce: baseline|restricted` (with an optional
 * `enforce-version`) refuses pods that violate the Pod Security Standards with a 403 whose message
 * names every violation in the server's own words. The checks are those of the policy at v1.32, the
 * version this simulator reports; older versions skip the checks introduced after them.
 */

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';
export type PodSecurityMode = 'enforce' | 'audit' | 'warn';

export const POD_SECURITY_LABEL_PREFIX = 'pod-security.kubernetes.io/';

/** The policy a namespace label pair selects: the level and version, as the server prints them. */
export interface PodSecurityPolicy {
  level: PodSecurityLevel;
  /** `latest` or `v1.<minor>`. */
  version: string;
}

export interface PodSecurityResult {
  allowed: boolean;
  /** One short reason per failed check, e.g. `allowPrivilegeEscalation != false`. */
  reasons: string[];
  /** The detail of each failed check ('' when a check gives none), index-aligned with `reasons`. */
  details: string[];
  /** `reason (detail), reason (detail), ...` — what follows `violates PodSecurity "<policy>": `. */
  detail: string;
}

interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  /** Baseline checks that the restricted level replaces with a stricter one. */
  overlap?: boolean;
  /** The first policy minor version (1.x) the check applies to. */
  minMinor: number;
  check(meta: any, spec: any, minor: number): CheckOutcome | undefined;
}

/** A failed check; a passing check returns undefined. */
interface CheckOutcome {
  reason: string;
  detail: string;
}

/** The newest policy version implemented; `latest` and newer versions evaluate as this one. */
export const LATEST_POLICY_MINOR = 32;

const LEVELS: PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];
const VERSION = /^v1\.(0|[1-9][0-9]*)$/;

const pluralize = (singular: string, plural: string, count: number) =>
  count === 1 ? singular : plural;
const joinQuote = (items: string[]) =>
  items.length === 0 ? '' : `"${items.join('", "')}"`;
const sortedUnique = (items: Iterable<string>) => [...new Set(items)].sort();

interface Container {
  name: string;
  securityContext?: any;
  ports?: any[];
}

/** Init containers, then containers, then ephemeral containers: the order the server reports them in. */
function containersOf(spec: any): Container[] {
  return [
    ...(spec?.initContainers ?? []),
    ...(spec?.containers ?? []),
    ...(spec?.ephemeralContainers ?? []),
  ].filter(c => c && typeof c === 'object');
}

const containerPhrase = (names: string[]) =>
  `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;

/**
 * Who sets something a check forbids, as the server names them: `pod` when the pod's securityContext
 * does, then the containers whose securityContext does. `sets` sees the pod's context first.
 */
function settersOf(spec: any, sets: (securityContext: any) => boolean) {
  const setters: string[] = [];
  if (sets(spec?.securityContext)) setters.push('pod');
  const bad = containersOf(spec)
    .filter(c => sets(c.securityContext))
    .map(c => c.name);
  if (bad.length > 0) setters.push(containerPhrase(bad));
  return setters;
}

/** Who sets `securityContext.<field>.type` to a type `allowed` refuses; those types go to `badTypes`. */
const profileTypeSetters = (
  spec: any,
  field: 'appArmorProfile' | 'seccompProfile',
  allowed: (type: unknown) => boolean,
  badTypes: string[],
) =>
  settersOf(spec, securityContext => {
    const profile = securityContext?.[field];
    if (!profile || allowed(profile.type)) return false;
    badTypes.push(String(profile.type ?? ''));
    return true;
  });

const isWindowsPod = (spec: any, minor: number) =>
  minor >= 25 && spec?.os?.name === 'windows';

// --- baseline --------------------------------------------------------------------------------------

const APPARMOR_ANNOTATION_PREFIX =
  'container.apparmor.security.beta.kubernetes.io/';

function appArmorProfile(meta: any, spec: any): CheckOutcome | undefined {
  const allowedType = (t: unknown) =>
    t === 'RuntimeDefault' || t === 'Localhost';
  const badValues: string[] = [];
  const setters = profileTypeSetters(
    spec,
    'appArmorProfile',
    allowedType,
    badValues,
  );
  const badAnnotations = Object.entries(meta?.annotations ?? {})
    .filter(
      ([key, value]) =>
        key.startsWith(APPARMOR_ANNOTATION_PREFIX) &&
        !(
          value === '' ||
          value === 'runtime/default' ||
          String(value).startsWith('localhost/')
        ),
    )
    .map(([key, value]) => `${key}=${JSON.stringify(String(value))}`)
    .sort();
  const values = [...sortedUnique(badValues), ...badAnnotations];
  if (badAnnotations.length > 0)
    setters.push(pluralize('annotation', 'annotations', badAnnotations.length));
  if (setters.length === 0) return undefined;
  return {
    reason: pluralize(
      'forbidden AppArmor profile',
      'forbidden AppArmor profiles',
      values.length,
    ),
    detail: `${setters.join(
      ' and ',
    )} must not set AppArmor profile type to ${joinQuote(values)}`,
  };
}

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

function capabilitiesBaseline(_meta: any, spec: any): CheckOutcome | undefined {
  const badContainers: string[] = [];
  const added: string[] = [];
  for (const c of containersOf(spec)) {
    const forbiddenAdds = (c.securityContext?.capabilities?.add ?? []).filter(
      (cap: string) => !BASELINE_CAPABILITIES.has(cap),
    );
    if (forbiddenAdds.length > 0) {
      badContainers.push(c.name);
      added.push(...forbiddenAdds);
    }
  }
  if (badContainers.length === 0) return undefined;
  return {
    reason: 'non-default capabilities',
    detail: `${containerPhrase(badContainers)} must not include ${joinQuote(
      sortedUnique(added),
    )} in securityContext.capabilities.add`,
  };
}

function hostNamespaces(_meta: any, spec: any): CheckOutcome | undefined {
  const used = [
    spec?.hostNetwork === true && 'hostNetwork=true',
    spec?.hostPID === true && 'hostPID=true',
    spec?.hostIPC === true && 'hostIPC=true',
  ].filter((v): v is string => !!v);
  if (used.length === 0) return undefined;
  return { reason: 'host namespaces', detail: used.join(', ') };
}

function hostPathVolumes(_meta: any, spec: any): CheckOutcome | undefined {
  const names = (spec?.volumes ?? [])
    .filter((v: any) => v?.hostPath)
    .map((v: any) => v.name);
  if (names.length === 0) return undefined;
  return {
    reason: 'hostPath volumes',
    detail: `${pluralize('volume', 'volumes', names.length)} ${joinQuote(
      names,
    )}`,
  };
}

function hostPorts(_meta: any, spec: any): CheckOutcome | undefined {
  const badContainers: string[] = [];
  const ports: string[] = [];
  for (const c of containersOf(spec)) {
    const used = (c.ports ?? [])
      .map((p: any) => Number(p?.hostPort ?? 0))
      .filter((p: number) => p !== 0);
    if (used.length > 0) {
      badContainers.push(c.name);
      ports.push(...used.map(String));
    }
  }
  if (badContainers.length === 0) return undefined;
  const unique = sortedUnique(ports);
  return {
    reason: 'hostPort',
    detail: `${containerPhrase(badContainers)} ${pluralize(
      'uses',
      'use',
      badContainers.length,
    )} ${pluralize('hostPort', 'hostPorts', unique.length)} ${unique.join(
      ', ',
    )}`,
  };
}

function privileged(_meta: any, spec: any): CheckOutcome | undefined {
  const bad = containersOf(spec)
    .filter(c => c.securityContext?.privileged === true)
    .map(c => c.name);
  if (bad.length === 0) return undefined;
  return {
    reason: 'privileged',
    detail: `${containerPhrase(
      bad,
    )} must not set securityContext.privileged=true`,
  };
}

function procMount(_meta: any, spec: any): CheckOutcome | undefined {
  const bad: string[] = [];
  const types: string[] = [];
  for (const c of containersOf(spec)) {
    const value = c.securityContext?.procMount;
    if (value !== undefined && value !== null && value !== 'Default') {
      bad.push(c.name);
      types.push(String(value));
    }
  }
  if (bad.length === 0) return undefined;
  return {
    reason: 'procMount',
    detail: `${containerPhrase(
      bad,
    )} must not set securityContext.procMount to ${joinQuote(
      sortedUnique(types),
    )}`,
  };
}

const SELINUX_TYPES = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
]);

function seLinuxOptions(_meta: any, spec: any): CheckOutcome | undefined {
  const badTypes: string[] = [];
  let setUser = false;
  let setRole = false;
  const valid = (options: any) => {
    let ok = true;
    const type = options.type ?? '';
    if (!SELINUX_TYPES.has(type)) {
      ok = false;
      badTypes.push(type);
    }
    if (options.user) {
      ok = false;
      setUser = true;
    }
    if (options.role) {
      ok = false;
      setRole = true;
    }
    return ok;
  };
  const setters = settersOf(
    spec,
    securityContext =>
      !!securityContext?.seLinuxOptions &&
      !valid(securityContext.seLinuxOptions),
  );
  if (setters.length === 0) return undefined;
  const types = sortedUnique(badTypes);
  const data = [
    ...(types.length > 0
      ? [`${pluralize('type', 'types', types.length)} ${joinQuote(types)}`]
      : []),
    ...(setUser ? ['user may not be set'] : []),
    ...(setRole ? ['role may not be set'] : []),
  ];
  return {
    reason: 'seLinuxOptions',
    detail: `${setters.join(
      ' and ',
    )} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`,
  };
}

const validSeccomp = (type: unknown) =>
  type === 'RuntimeDefault' || type === 'Localhost';

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION_PREFIX =
  'container.seccomp.security.alpha.kubernetes.io/';

function seccompProfileBaseline(
  meta: any,
  spec: any,
  minor: number,
): CheckOutcome | undefined {
  if (minor < 19) {
    // Before the field existed the alpha annotations carried the profile.
    const allowed = (v: string) =>
      v === 'runtime/default' ||
      v === 'docker/default' ||
      v.startsWith('localhost/');
    const annotations = meta?.annotations ?? {};
    const bad: string[] = [];
    const podValue = annotations[SECCOMP_POD_ANNOTATION];
    if (podValue !== undefined && !allowed(podValue))
      bad.push(`${SECCOMP_POD_ANNOTATION}=${JSON.stringify(podValue)}`);
    for (const c of containersOf(spec)) {
      const key = SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.name;
      const value = annotations[key];
      if (value !== undefined && !allowed(value))
        bad.push(`${key}=${JSON.stringify(value)}`);
    }
    if (bad.length === 0) return undefined;
    const unique = sortedUnique(bad);
    return {
      reason: 'seccompProfile',
      detail: `forbidden ${pluralize(
        'annotation',
        'annotations',
        unique.length,
      )} ${unique.join(', ')}`,
    };
  }
  const badValues: string[] = [];
  const setters = profileTypeSetters(
    spec,
    'seccompProfile',
    validSeccomp,
    badValues,
  );
  if (setters.length === 0) return undefined;
  return {
    reason: 'seccompProfile',
    detail: `${setters.join(
      ' and ',
    )} must not set securityContext.seccompProfile.type to ${joinQuote(
      sortedUnique(badValues),
    )}`,
  };
}

const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
]);

function sysctls(_meta: any, spec: any): CheckOutcome | undefined {
  const bad = (spec?.securityContext?.sysctls ?? [])
    .map((s: any) => String(s?.name ?? ''))
    .filter((name: string) => !SAFE_SYSCTLS.has(name));
  if (bad.length === 0) return undefined;
  return { reason: 'forbidden sysctls', detail: bad.join(', ') };
}

function windowsHostProcess(_meta: any, spec: any): CheckOutcome | undefined {
  const setters = settersOf(
    spec,
    securityContext => securityContext?.windowsOptions?.hostProcess === true,
  );
  if (setters.length === 0) return undefined;
  return {
    reason: 'hostProcess',
    detail: `${setters.join(
      ' and ',
    )} must not set securityContext.windowsOptions.hostProcess=true`,
  };
}

// --- restricted ------------------------------------------------------------------------------------

function allowPrivilegeEscalation(
  _meta: any,
  spec: any,
  minor: number,
): CheckOutcome | undefined {
  if (isWindowsPod(spec, minor)) return undefined;
  const bad = containersOf(spec)
    .filter(c => c.securityContext?.allowPrivilegeEscalation !== false)
    .map(c => c.name);
  if (bad.length === 0) return undefined;
  return {
    reason: 'allowPrivilegeEscalation != false',
    detail: `${containerPhrase(
      bad,
    )} must set securityContext.allowPrivilegeEscalation=false`,
  };
}

function capabilitiesRestricted(
  _meta: any,
  spec: any,
  minor: number,
): CheckOutcome | undefined {
  if (isWindowsPod(spec, minor)) return undefined;
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const forbiddenCaps: string[] = [];
  for (const c of containersOf(spec)) {
    const caps = c.securityContext?.capabilities;
    if (!caps) {
      missingDropAll.push(c.name);
      continue;
    }
    if (!(caps.drop ?? []).includes('ALL')) missingDropAll.push(c.name);
    const extra = (caps.add ?? []).filter(
      (cap: string) => cap !== 'NET_BIND_SERVICE',
    );
    if (extra.length > 0) {
      addingForbidden.push(c.name);
      forbiddenCaps.push(...extra);
    }
  }
  const details: string[] = [];
  if (missingDropAll.length > 0)
    details.push(
      `${containerPhrase(
        missingDropAll,
      )} must set securityContext.capabilities.drop=["ALL"]`,
    );
  if (addingForbidden.length > 0)
    details.push(
      `${containerPhrase(addingForbidden)} must not include ${joinQuote(
        sortedUnique(forbiddenCaps),
      )} in securityContext.capabilities.add`,
    );
  if (details.length === 0) return undefined;
  return { reason: 'unrestricted capabilities', detail: details.join('; ') };
}

/** Volume sources the restricted level allows; every other source is reported by its field name. */
const RESTRICTED_ALLOWED_VOLUMES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
const RESTRICTED_VOLUME_TYPES: Record<string, string> = {
  hostPath: 'hostPath',
  gcePersistentDisk: 'gcePersistentDisk',
  awsElasticBlockStore: 'awsElasticBlockStore',
  gitRepo: 'gitRepo',
  nfs: 'nfs',
  iscsi: 'iscsi',
  glusterfs: 'glusterfs',
  rbd: 'rbd',
  flexVolume: 'flexVolume',
  cinder: 'cinder',
  cephfs: 'cephfs',
  flocker: 'flocker',
  fc: 'fc',
  azureFile: 'azureFile',
  vsphereVolume: 'vsphereVolume',
  quobyte: 'quobyte',
  azureDisk: 'azureDisk',
  photonPersistentDisk: 'photonPersistentDisk',
  portworxVolume: 'portworxVolume',
  scaleIO: 'scaleIO',
  storageos: 'storageos',
};

function restrictedVolumes(_meta: any, spec: any): CheckOutcome | undefined {
  const badVolumes: string[] = [];
  const badTypes: string[] = [];
  for (const volume of spec?.volumes ?? []) {
    if (!volume || typeof volume !== 'object') continue;
    if (RESTRICTED_ALLOWED_VOLUMES.some(key => volume[key])) continue;
    badVolumes.push(volume.name);
    const source = Object.keys(RESTRICTED_VOLUME_TYPES).find(
      key => volume[key],
    );
    badTypes.push(source ? RESTRICTED_VOLUME_TYPES[source] : 'unknown');
  }
  if (badVolumes.length === 0) return undefined;
  const types = sortedUnique(badTypes);
  return {
    reason: 'restricted volume types',
    detail: `${pluralize('volume', 'volumes', badVolumes.length)} ${joinQuote(
      badVolumes,
    )} ${pluralize('uses', 'use', badVolumes.length)} ${pluralize(
      'restricted volume type',
      'restricted volume types',
      types.length,
    )} ${joinQuote(types)}`,
  };
}

function runAsNonRoot(_meta: any, spec: any): CheckOutcome | undefined {
  const setters: string[] = [];
  const podValue = spec?.securityContext?.runAsNonRoot;
  if (podValue === false) setters.push('pod');
  const podNonRoot = podValue === true;
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containersOf(spec)) {
    const value = c.securityContext?.runAsNonRoot;
    if (value === undefined || value === null) {
      if (!podNonRoot) implicit.push(c.name);
    } else if (value === false) explicit.push(c.name);
  }
  if (explicit.length > 0) setters.push(containerPhrase(explicit));
  if (setters.length > 0)
    return {
      reason: 'runAsNonRoot != true',
      detail: `${setters.join(
        ' and ',
      )} must not set securityContext.runAsNonRoot=false`,
    };
  if (implicit.length > 0)
    return {
      reason: 'runAsNonRoot != true',
      detail: `pod or ${containerPhrase(
        implicit,
      )} must set securityContext.runAsNonRoot=true`,
    };
  return undefined;
}

function runAsUser(_meta: any, spec: any): CheckOutcome | undefined {
  const setters = settersOf(
    spec,
    securityContext => securityContext?.runAsUser === 0,
  );
  if (setters.length === 0) return undefined;
  return {
    reason: 'runAsUser=0',
    detail: `${setters.join(' and ')} must not set runAsUser=0`,
  };
}

function seccompProfileRestricted(
  _meta: any,
  spec: any,
  minor: number,
): CheckOutcome | undefined {
  if (isWindowsPod(spec, minor)) return undefined;
  const setters: string[] = [];
  const badValues: string[] = [];
  let podSet = false;
  const podProfile = spec?.securityContext?.seccompProfile;
  if (podProfile) {
    if (!validSeccomp(podProfile.type)) {
      setters.push('pod');
      badValues.push(String(podProfile.type ?? ''));
    } else podSet = true;
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containersOf(spec)) {
    const profile = c.securityContext?.seccompProfile;
    if (profile) {
      if (!validSeccomp(profile.type)) {
        explicit.push(c.name);
        badValues.push(String(profile.type ?? ''));
      }
    } else if (!podSet) implicit.push(c.name);
  }
  if (explicit.length > 0) setters.push(containerPhrase(explicit));
  if (setters.length > 0)
    return {
      reason: 'seccompProfile',
      detail: `${setters.join(
        ' and ',
      )} must not set securityContext.seccompProfile.type to ${joinQuote(
        sortedUnique(badValues),
      )}`,
    };
  if (implicit.length > 0)
    return {
      reason: 'seccompProfile',
      detail: `pod or ${containerPhrase(
        implicit,
      )} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
    };
  return undefined;
}

/** Every check, in the order the server registers (and so reports) them. */
const CHECKS: Check[] = [
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    minMinor: 8,
    check: allowPrivilegeEscalation,
  },
  {
    id: 'appArmorProfile',
    level: 'baseline',
    minMinor: 0,
    check: appArmorProfile,
  },
  {
    id: 'capabilities_baseline',
    level: 'baseline',
    overlap: true,
    minMinor: 0,
    check: capabilitiesBaseline,
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    minMinor: 22,
    check: capabilitiesRestricted,
  },
  {
    id: 'hostNamespaces',
    level: 'baseline',
    minMinor: 0,
    check: hostNamespaces,
  },
  {
    id: 'hostPathVolumes',
    level: 'baseline',
    overlap: true,
    minMinor: 0,
    check: hostPathVolumes,
  },
  { id: 'hostPorts', level: 'baseline', minMinor: 0, check: hostPorts },
  { id: 'privileged', level: 'baseline', minMinor: 0, check: privileged },
  { id: 'procMount', level: 'baseline', minMinor: 0, check: procMount },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    minMinor: 0,
    check: restrictedVolumes,
  },
  { id: 'runAsNonRoot', level: 'restricted', minMinor: 0, check: runAsNonRoot },
  { id: 'runAsUser', level: 'restricted', minMinor: 23, check: runAsUser },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    minMinor: 0,
    check: seLinuxOptions,
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    overlap: true,
    minMinor: 0,
    check: seccompProfileBaseline,
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    minMinor: 19,
    check: seccompProfileRestricted,
  },
  { id: 'sysctls', level: 'baseline', minMinor: 0, check: sysctls },
  {
    id: 'windowsHostProcess',
    level: 'baseline',
    minMinor: 0,
    check: windowsHostProcess,
  },
];

function minorOf(version: string): number {
  const match = VERSION.exec(version);
  if (!match) return LATEST_POLICY_MINOR;
  return Math.min(Number(match[1]), LATEST_POLICY_MINOR);
}

/**
 * The checks a level evaluates, in the server's order: baseline checks first, then (restricted) the
 * restricted checks, or (baseline) the baseline checks that restricted replaces.
 */
function checksFor(level: PodSecurityLevel, minor: number): Check[] {
  const applies = (c: Check) => c.minMinor <= minor;
  const baseline = CHECKS.filter(c => c.level === 'baseline' && !c.overlap);
  const second =
    level === 'baseline'
      ? CHECKS.filter(c => c.level === 'baseline' && c.overlap)
      : CHECKS.filter(c => c.level === 'restricted');
  return [...baseline, ...second].filter(applies);
}

/** Evaluates a pod (its metadata and spec) against a level and version of the Pod Security Standards. */
export function evaluatePodSecurity(
  policy: PodSecurityPolicy,
  metadata: any,
  spec: any,
): PodSecurityResult {
  if (policy.level === 'privileged')
    return { allowed: true, reasons: [], details: [], detail: '' };
  const minor = minorOf(policy.version);
  const reasons: string[] = [];
  const details: string[] = [];
  for (const check of checksFor(policy.level, minor)) {
    const outcome = check.check(metadata ?? {}, spec ?? {}, minor);
    if (outcome) {
      reasons.push(outcome.reason || 'unknown forbidden reason');
      details.push(outcome.detail);
    }
  }
  const detail = reasons
    .map((reason, i) => (details[i] ? `${reason} (${details[i]})` : reason))
    .join(', ');
  return { allowed: reasons.length === 0, reasons, details, detail };
}

/**
 * The policy a namespace's labels set for one mode. No label means `privileged`; a label the server
 * cannot parse falls back to the most restrictive policy (`restricted:latest`), as the real plugin does.
 */
export function namespacePolicy(
  labels: Record<string, string> | undefined,
  mode: PodSecurityMode = 'enforce',
): PodSecurityPolicy {
  const levelLabel = labels?.[`${POD_SECURITY_LABEL_PREFIX}${mode}`];
  const versionLabel = labels?.[`${POD_SECURITY_LABEL_PREFIX}${mode}-version`];
  let level: PodSecurityLevel = 'privileged';
  let version = 'latest';
  if (levelLabel !== undefined) {
    level = LEVELS.includes(levelLabel as PodSecurityLevel)
      ? (levelLabel as PodSecurityLevel)
      : 'restricted';
  }
  if (versionLabel !== undefined && versionLabel !== 'latest') {
    version = VERSION.test(versionLabel) ? versionLabel : 'latest';
  }
  return { level, version };
}

/**
 * The admission step: throws 403 Forbidden when the pod's namespace enforces a level the pod violates.
 * `namespace` is the stored Namespace object (undefined when missing: nothing to enforce).
 */
export function admitPodSecurity(namespace: any | undefined, pod: any): void {
  const policy = namespacePolicy(namespace?.metadata?.labels, 'enforce');
  if (policy.level === 'privileged') return;
  const result = evaluatePodSecurity(policy, pod.metadata, pod.spec);
  if (result.allowed) return;
  throw forbidden(
    { group: '', plural: 'pods', kind: 'Pod', name: pod.metadata?.name ?? '' },
    `violates PodSecurity "${policy.level}:${policy.version}": ${result.detail}`,
  );
}
