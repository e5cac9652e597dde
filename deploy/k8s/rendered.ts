/**
 * Test helpers for the manifests: render a kustomization the way it is applied, type each object
 * by the schema model of its apiVersion and kind, and work out a container's environment and
 * command the way the kubelet does, so the worker's own config parser can read them.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import type { IContainer } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

export const K8S_DIR = fileURLToPath(new URL('.', import.meta.url));

/** The kinds these manifests use. A new kind needs its model here, so it is validated too. */
const MODELS = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};
type Model = InstanceType<(typeof MODELS)[keyof typeof MODELS]>;

export interface Rendered {
  all: Model[];
  deployments: Deployment[];
  configMaps: ConfigMap[];
  services: Service[];
  budgets: PodDisruptionBudget[];
  scaledObjects: ScaledObject[];
}

function kubectl(args: string[]): string {
  try {
    return execFileSync('kubectl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error('kubectl is not installed: the manifest tests render deploy/k8s with `kubectl kustomize` (kustomize v5). `.ci/run` installs it; elsewhere install kubectl 1.27 or later.');
    }
    throw new Error(`kubectl ${args.join(' ')} failed:\n${e.stderr || e.message}`);
  }
}

/** "v5.5.0" from `kubectl version --client`, or undefined when it names no kustomize. */
export const kustomizeVersion = (): string | undefined => /Kustomize Version: (v[\d.]+)/.exec(kubectl(['version', '--client']))?.[1];

/** Every YAML document of a file or of kubectl's output, as a model checked against its schema. */
export function parseObjects(yamlText: string, source: string): Model[] {
  return parseAllDocuments(yamlText).map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${source}, document ${i + 1}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const object = doc.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string } };
    const key = `${object.apiVersion}/${object.kind}`;
    const Class = MODELS[key as keyof typeof MODELS];
    if (!Class) throw new Error(`${source}: no schema model for ${key} (${object.metadata?.name}); add one to MODELS in rendered.ts`);
    const model = new Class(object as never);
    try {
      model.validate();
    } catch (error) {
      throw new Error(`${source}: ${key} ${object.metadata?.name} does not match its schema: ${(error as Error).message}`);
    }
    return model;
  });
}

export function render(dir: string): Rendered {
  const all = parseObjects(kubectl(['kustomize', `${K8S_DIR}${dir}`]), dir);
  const of = <T extends Model>(Class: new (...args: never[]) => T) => all.filter((o): o is T => o instanceof Class);
  return {
    all,
    deployments: of(Deployment),
    configMaps: of(ConfigMap),
    services: of(Service),
    budgets: of(PodDisruptionBudget),
    scaledObjects: of(ScaledObject),
  };
}

/** What the test says a pod's downward API and secrets hold. */
export const POD = { ip: '10.1.2.3', name: 'tts-worker-pod', secret: 'stand-in-secret-from-the-secret-store' };

const expand = (text: string, env: Record<string, string>) => text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (ref, name: string) => env[name] ?? ref);

/**
 * The environment the kubelet gives a container: its ConfigMaps, then its `env` in order, where
 * `$(NAME)` refers to what came before. Field and secret references get POD's values.
 */
export function containerEnv(container: IContainer, configMaps: ConfigMap[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    const map = configMaps.find((c) => c.metadata?.name === name);
    if (!map) throw new Error(`container ${container.name} reads ConfigMap ${name}, which the manifests do not create`);
    Object.assign(env, map.data);
  }
  const fields: Record<string, string> = { 'status.podIP': POD.ip, 'metadata.name': POD.name };
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (from?.fieldRef) env[variable.name] = fields[from.fieldRef.fieldPath] ?? `<${from.fieldRef.fieldPath}>`;
    else if (from?.secretKeyRef) env[variable.name] = POD.secret;
    else env[variable.name] = expand(variable.value ?? '', env);
  }
  return env;
}

/** The container's command line after the kubelet's `$(NAME)` expansion. */
export const containerCommand = (container: IContainer, env: Record<string, string>): string[] =>
  [...(container.command ?? []), ...(container.args ?? [])].map((arg) => expand(arg, env));

/** Whether a selector (matchLabels only: these manifests use nothing else) picks these labels. */
export function selects(selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || selector.matchExpressions?.length) throw new Error('selectors here are matchLabels only');
  const wanted = Object.entries(selector.matchLabels ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels?.[key] === value);
}
