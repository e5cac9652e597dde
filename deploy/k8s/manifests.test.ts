/**
 * The Kubernetes manifests as they are applied: the base and each overlay rendered by
 * `kubectl kustomize`, every object checked against its Kubernetes or KEDA schema, and what the
 * worker relies on asserted, with the worker's own config parser reading each pod's environment.
 * Schemas ignore unknown fields, so every field that matters is also read here by name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret } from 'kubernetes-models/v1';
import type { IContainer, IProbe } from 'kubernetes-models/v1';
import { beforeEach, describe, expect, it } from 'vitest';
import { readConfig, type WorkerConfig } from '../../gpu-worker/config.ts';
import { containerCommand, containerEnv, K8S_DIR, kustomizeVersion, parseObjects, POD, render, selects, type Rendered } from './rendered.ts';

const REPO = join(K8S_DIR, '../..');
const SECRET = { name: 'tts-worker-secret', key: 'WORKER_SECRET' };

it('has kubectl with kustomize v5 to render the manifests', () => {
  // kubectl before 1.27 embeds a kustomize that cannot read these kustomizations.
  expect(kustomizeVersion(), 'kubectl names no kustomize version: install kubectl 1.27 or later').toMatch(/^v5\./);
});

const worker = (d: Rendered['deployments'][number]): IContainer => {
  const container = d.spec?.template.spec?.containers.find((c) => c.name === 'worker');
  if (!container) throw new Error(`${d.metadata?.name} has no container named worker`);
  return container;
};
const podLabels = (d: Rendered['deployments'][number]) => d.spec?.template.metadata?.labels;

/** A Deployment's worker config as the worker itself reads it from its pod; throws where it would refuse to start. */
function workerConfig(r: Rendered, d: Rendered['deployments'][number]): WorkerConfig {
  const env = containerEnv(worker(d), r.configMaps);
  const [node, script, ...argv] = containerCommand(worker(d), env);
  expect([node, script]).toEqual(['node', 'gpu-worker/main.ts']);
  return readConfig(argv, env);
}

const probePort = (probe: IProbe | undefined, container: IContainer) => {
  const port = probe?.httpGet?.port;
  return typeof port === 'string' ? container.ports?.find((p) => p.name === port)?.containerPort : port;
};

/** Renders once, on first use; a failure (no kubectl, a broken build) fails each test that asks, not skips it. */
function lazily<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

describe.each(['base', 'overlays/cpu', 'overlays/gpu'])('kustomize %s', (dir) => {
  const setup = lazily(() => {
    const r = render(dir);
    return { r, configs: new Map<string, WorkerConfig>(r.deployments.map((d) => [d.metadata?.name ?? '', workerConfig(r, d)])) };
  });
  let r: Rendered;
  let configs: Map<string, WorkerConfig>;
  beforeEach(() => {
    ({ r, configs } = setup());
  });

  it('renders a worker Deployment per model size, all in one namespace', () => {
    const packs = Object.fromEntries([...configs].map(([name, config]) => [name, config.packs]));
    expect(packs).toEqual({ 'tts-worker-fast': [expect.stringMatching(/\/qwen3-tts-0\.6b-/)], 'tts-worker-quality': [expect.stringMatching(/\/qwen3-tts-1\.7b-/)] });
    const namespaces = new Set(r.all.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata?.namespace));
    expect([...namespaces]).toEqual(['open-tts']);
  });

  it('takes the worker secret from the Secret, and holds no secret value anywhere', () => {
    for (const d of r.deployments) {
      const entry = worker(d).env?.find((e) => e.name === SECRET.key);
      expect(entry?.value, d.metadata?.name).toBeUndefined();
      expect(entry?.valueFrom?.secretKeyRef, d.metadata?.name).toMatchObject(SECRET);
    }
    expect(r.all.filter((o) => o.kind === 'Secret')).toEqual([]);
    // No WORKER_SECRET key with a value (a ConfigMap entry, stringData), nor an env entry with one.
    const literal = (node: unknown): boolean =>
      Array.isArray(node)
        ? node.some(literal)
        : typeof node === 'object' && node !== null &&
          (typeof (node as Record<string, unknown>)[SECRET.key] === 'string' ||
            ((node as { name?: unknown }).name === SECRET.key && 'value' in node) ||
            Object.values(node).some(literal));
    expect(r.all.filter((o) => literal(o.toJSON())).map((o) => `${o.kind} ${o.metadata?.name}`)).toEqual([]);
  });

  it('starts each worker with a config it accepts: on the pod IP, joining the edge from the ConfigMap', () => {
    for (const d of r.deployments) {
      const config = workerConfig(r, d);
      expect(config.host, d.metadata?.name).toBe('0.0.0.0'); // the kubelet probes the pod IP, not loopback
      expect(config.secret).toBe(POD.secret);
      expect(config.publicUrl).toBe(`http://${POD.ip}:${config.port}`);
      expect(config.edgeUrl).toMatch(/^https:\/\//);
      expect(worker(d).env?.some((e) => e.name === 'EDGE_URL'), 'EDGE_URL comes from the ConfigMap').toBe(false);
      expect(worker(d).ports?.map((p) => p.containerPort)).toEqual([config.port]);
    }
  });

  it('probes readiness on /readyz, liveness and start-up on /healthz, at the port the worker listens on', () => {
    for (const d of r.deployments) {
      const c = worker(d);
      const port = configs.get(d.metadata?.name ?? '')?.port;
      expect([c.readinessProbe?.httpGet?.path, c.livenessProbe?.httpGet?.path, c.startupProbe?.httpGet?.path]).toEqual(['/readyz', '/healthz', '/healthz']);
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) expect(probePort(probe, c), d.metadata?.name).toBe(port);
    }
  });

  it('gives the kubelet grace past the preStop pause plus the drain, so SIGKILL never comes first', () => {
    for (const d of r.deployments) {
      const drainSeconds = (configs.get(d.metadata?.name ?? '')?.drainGraceMs ?? Infinity) / 1000;
      const pause = worker(d).lifecycle?.preStop?.sleep?.seconds ?? 0;
      expect(pause, `${d.metadata?.name}: preStop pause`).toBeGreaterThan(0);
      expect(d.spec?.template.spec?.terminationGracePeriodSeconds, d.metadata?.name).toBeGreaterThan(pause + drainSeconds);
    }
  });

  it('pulls each pack in an init container into the volume the worker loads it from', () => {
    for (const d of r.deployments) {
      const pull = d.spec?.template.spec?.initContainers?.find((c) => c.name === 'pull-pack');
      if (!pull) throw new Error(`${d.metadata?.name}: no pull-pack init container`);
      const [node, script, command, name, dirFlag, dir] = containerCommand(pull, containerEnv(pull, r.configMaps));
      expect([node, script, command, dirFlag]).toEqual(['node', 'gpu-worker/models/cli.ts', 'pull', '--dir']);
      expect(containerEnv(pull, r.configMaps).MODELS_REGISTRY).toMatch(/^https?:\/\//);
      expect(configs.get(d.metadata?.name ?? '')?.packs).toEqual([`${dir}/${name}`]);
      const mount = (c: IContainer) => c.volumeMounts?.find((m) => m.mountPath === dir)?.name;
      expect(mount(pull)).toBeDefined();
      expect(mount(worker(d)), d.metadata?.name).toBe(mount(pull));
    }
    // The image runs these from its working directory, the repository's root.
    for (const script of ['gpu-worker/main.ts', 'gpu-worker/models/cli.ts']) expect(existsSync(join(REPO, script)), script).toBe(true);
  });

  it('scales each Deployment with its own ScaledObject, on its own pods, before its workers fill', () => {
    for (const d of r.deployments) {
      const name = d.metadata?.name ?? '';
      expect(d.spec?.replicas, `${name}: replicas belong to the autoscaler`).toBeUndefined();
      const scalers = r.scaledObjects.filter((s) => s.spec.scaleTargetRef.name === name && (s.spec.scaleTargetRef.kind ?? 'Deployment') === 'Deployment');
      expect(scalers, name).toHaveLength(1);
      const spec = scalers[0]!.spec;
      expect(spec.minReplicaCount, name).toBeGreaterThanOrEqual(1);
      const trigger = spec.triggers.find((t) => t.type === 'prometheus');
      expect(trigger?.metadata.query).toContain('tts_queue_depth');
      expect(trigger?.metadata.query).toContain(`namespace="${d.metadata?.namespace}"`);
      expect(trigger?.metadata.query).toContain(`pod=~"${name}-.+"`);
      const threshold = Number(trigger?.metadata.threshold);
      expect(threshold).toBeGreaterThan(0);
      expect(threshold, `${name}: target streams per pod below MAX_STREAMS`).toBeLessThan(configs.get(name)?.maxStreams ?? 0);
    }
    expect(r.scaledObjects).toHaveLength(r.deployments.length);
  });

  it('covers each Deployment with exactly one PodDisruptionBudget that lets a node drain', () => {
    for (const d of r.deployments) {
      const budgets = r.budgets.filter((b) => selects(b.spec?.selector, podLabels(d)));
      expect(budgets, d.metadata?.name).toHaveLength(1);
      expect(budgets[0]?.spec?.maxUnavailable).toBe(1);
    }
    expect(r.budgets).toHaveLength(r.deployments.length);
  });

  it('has a headless Service per Deployment and Prometheus annotations on the worker port', () => {
    for (const d of r.deployments) {
      const port = configs.get(d.metadata?.name ?? '')?.port;
      const services = r.services.filter((s) => selects({ matchLabels: s.spec?.selector ?? {} }, podLabels(d)));
      expect(services, d.metadata?.name).toHaveLength(1);
      expect(services[0]?.spec?.clusterIP).toBe('None');
      const target = services[0]?.spec?.ports?.[0]?.targetPort;
      expect(typeof target === 'string' ? worker(d).ports?.find((p) => p.name === target)?.containerPort : target).toBe(port);
      expect(d.spec?.template.metadata?.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' });
    }
  });

  if (dir === 'overlays/gpu') {
    it('puts every worker on one GPU of a GPU node, with the CUDA image and provider', () => {
      for (const d of r.deployments) {
        const pod = d.spec?.template.spec;
        expect(worker(d).resources?.limits?.['nvidia.com/gpu'], d.metadata?.name).toBe(1);
        expect(configs.get(d.metadata?.name ?? '')?.executionProvider).toBe('cuda');
        for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) expect(c.image).toMatch(/^open-tts-gpu-worker:cuda$/);
        expect(pod?.nodeSelector).toBeDefined();
        expect(pod?.tolerations).toContainEqual(expect.objectContaining({ key: 'nvidia.com/gpu', effect: 'NoSchedule' }));
      }
    });
  } else {
    it('asks for no GPU and runs the CPU image and provider', () => {
      for (const d of r.deployments) {
        expect(JSON.stringify(d.toJSON())).not.toContain('nvidia.com/gpu');
        expect(configs.get(d.metadata?.name ?? '')?.executionProvider).toBe('cpu');
        expect(worker(d).image).toBe('open-tts-gpu-worker:cpu');
      }
    });
  }
});

describe('secret.example.yaml', () => {
  const [secret] = parseObjects(readFileSync(join(K8S_DIR, 'secret.example.yaml'), 'utf8'), 'secret.example.yaml');

  it('is the Secret the workers read, with a placeholder the worker refuses to start on', () => {
    expect(secret).toBeInstanceOf(Secret);
    const s = secret as Secret;
    expect(s.metadata).toMatchObject({ name: SECRET.name, namespace: 'open-tts' });
    const placeholder = s.stringData?.[SECRET.key];
    expect(placeholder).toBeDefined();
    expect(() => readConfig([], { WORKER_SECRET: placeholder })).toThrow(/WORKER_SECRET/);
  });
});
