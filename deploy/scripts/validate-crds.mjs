#!/usr/bin/env node
// Validates custom resources (External Secrets, Cilium, Argo CD) against the published schemas of
// the @kubernetes-models packages. Those packages are ES modules only, so the Jest tests (CommonJS)
// run this script as a child process: a JSON array of objects on stdin, a JSON array of
// { kind, name, error } on stdout (error null when the object is valid; unknown kinds are errors).
import {
  ExternalSecret,
  ClusterSecretStore,
  SecretStore,
} from '@kubernetes-models/external-secrets/external-secrets.io/v1';
import { CiliumNetworkPolicy } from '@kubernetes-models/cilium/cilium.io/v2';
import {
  Application,
  AppProject,
} from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';

const MODELS = {
  'external-secrets.io/v1/ExternalSecret': ExternalSecret,
  'external-secrets.io/v1/ClusterSecretStore': ClusterSecretStore,
  'external-secrets.io/v1/SecretStore': SecretStore,
  'cilium.io/v2/CiliumNetworkPolicy': CiliumNetworkPolicy,
  'argoproj.io/v1alpha1/Application': Application,
  'argoproj.io/v1alpha1/AppProject': AppProject,
};

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
const results = JSON.parse(input).map(object => {
  const key = `${object.apiVersion}/${object.kind}`;
  const Model = MODELS[key];
  const result = { kind: key, name: object.metadata?.name ?? '', error: null };
  if (!Model) {
    result.error = `no schema for ${key}`;
    return result;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    result.error = String(error?.message ?? error);
  }
  return result;
});
process.stdout.write(JSON.stringify(results));
