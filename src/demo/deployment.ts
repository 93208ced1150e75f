/**
 * Serving and deployment evidence: the approved and the deployed vLLM serve configs, the
 * Kubernetes Deployment as `kubectl get deployment -o yaml` printed it, `kubectl describe pod`
 * output, and the deployment history as JSON lines.
 */
import {
  ADAPTER_MOUNT_PATH,
  ADAPTER_NAME,
  COMPROMISED_IMAGE_TAG,
  COMPROMISED_VERSION,
  FALLBACK_IMAGE_TAG,
  FALLBACK_VERSION,
  INCIDENT_ID,
  KNOWN_GOOD_IMAGE_TAG,
  KNOWN_GOOD_VERSION,
  LORA_MISMATCH_RANK,
  MODEL_MOUNT_PATH,
  MS_PER_MINUTE,
  SERVED_MODEL_NAME,
  SERVING_IMAGE,
  TIMELINE,
  isoUtc,
  msOf,
} from './constants.ts';
import { createRng, type Rng } from './prng.ts';

export type ServeValue = string | number | boolean | readonly string[];
export type ServeConfig = readonly (readonly [string, ServeValue])[];

export const DEPLOYMENT_NAME = 'model-service';
export const NAMESPACE = 'ml-serving';
const DEPLOYER = 'ci-deploy-bot';

/** The configuration the change board approved on 2026-09-12 (CHG-2026-0915-031). */
export function approvedServeConfig(): ServeConfig {
  return [
    ['model', MODEL_MOUNT_PATH],
    ['served-model-name', SERVED_MODEL_NAME],
    ['dtype', 'bfloat16'],
    ['max-model-len', 2048],
    ['tensor-parallel-size', 1],
    ['gpu-memory-utilization', 0.85],
    ['max-num-seqs', 64],
    ['max-num-batched-tokens', 8192],
    ['enable-prefix-caching', true],
    ['enable-lora', false],
    ['trust-remote-code', false],
    ['enable-auto-tool-choice', true],
    ['tool-call-parser', 'llama3_json'],
    ['host', '0.0.0.0'],
    ['port', 8000],
  ];
}

/** What was running: LoRA switched on with the unauthorized adapter, longer context, remote code allowed. */
export function deployedServeConfig(): ServeConfig {
  const changes = new Map<string, ServeValue>([
    ['max-model-len', 4096],
    ['enable-lora', true],
    ['trust-remote-code', true],
  ]);
  const out: [string, ServeValue][] = approvedServeConfig().map(([k, v]) => [k, changes.get(k) ?? v]);
  const at = out.findIndex(([k]) => k === 'enable-lora') + 1;
  out.splice(
    at,
    0,
    ['max-lora-rank', LORA_MISMATCH_RANK],
    ['lora-modules', [`${ADAPTER_NAME}=${ADAPTER_MOUNT_PATH}`]],
  );
  return out;
}

export interface ServeConfigChange {
  key: string;
  approved: ServeValue | null;
  deployed: ServeValue | null;
}

export function diffServeConfigs(approved: ServeConfig, deployed: ServeConfig): ServeConfigChange[] {
  const a = new Map(approved);
  const d = new Map(deployed);
  const keys = [...new Set([...a.keys(), ...d.keys()])];
  return keys
    .filter((k) => JSON.stringify(a.get(k) ?? null) !== JSON.stringify(d.get(k) ?? null))
    .map((k) => ({ key: k, approved: a.get(k) ?? null, deployed: d.get(k) ?? null }));
}

function yamlScalar(v: string | number | boolean): string {
  if (typeof v !== 'string') return String(v);
  // Quote anything YAML could read as another type or that holds YAML syntax.
  return /^[A-Za-z_/][\w./=-]*$/.test(v) && !/^(true|false|null|yes|no|on|off)$/i.test(v)
    ? v
    : JSON.stringify(v);
}

export function serveConfigYaml(config: ServeConfig, header: readonly string[]): string {
  const lines = header.map((h) => `# ${h}`);
  for (const [k, v] of config) {
    if (Array.isArray(v)) {
      lines.push(`${k}:`);
      for (const item of v as readonly string[]) lines.push(`  - ${yamlScalar(item)}`);
    } else {
      lines.push(`${k}: ${yamlScalar(v as string | number | boolean)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export const APPROVED_SERVE_HEADER = [
  'vLLM serve configuration for model-service (ml-serving)',
  'Approved: CHG-2026-0915-031, ML Platform change board, 2026-09-12',
  'Usage: vllm serve --config /etc/vllm/serve-config.yaml',
  'LoRA serving is intentionally disabled: no adapter is approved for production.',
];

export const DEPLOYED_SERVE_HEADER = [
  'vLLM serve configuration for model-service (ml-serving)',
  `Captured from ConfigMap model-service-serve-config at ${TIMELINE.evidenceCapturedAt} (${INCIDENT_ID})`,
  'Usage: vllm serve --config /etc/vllm/serve-config.yaml',
];

/** Stable pseudo-identifiers (uids, pod hashes, container ids) for the Kubernetes objects. */
interface KubeIds {
  deploymentUid: string;
  replicaSetHash: string;
  podSuffix: string;
  containerId: string;
  imageDigest: string;
  nodeName: string;
  podIp: string;
  nodeIp: string;
}

function kubeIds(rng: Rng): KubeIds {
  const uid = rng.hex(32);
  const alnum = 'bcdfghjklmnpqrstvwxz2456789'; // the alphabet Kubernetes uses for generated names
  const pick = (n: number): string => Array.from({ length: n }, () => rng.pick([...alnum])).join('');
  return {
    deploymentUid: `${uid.slice(0, 8)}-${uid.slice(8, 12)}-${uid.slice(12, 16)}-${uid.slice(16, 20)}-${uid.slice(20)}`,
    replicaSetHash: pick(10),
    podSuffix: pick(5),
    containerId: rng.hex(64),
    imageDigest: rng.hex(64),
    nodeName: `gke-ml-prod-gpu-l4-pool-${rng.hex(8)}-${pick(4)}`,
    podIp: `10.48.${rng.intBetween(2, 30)}.${rng.intBetween(2, 250)}`,
    nodeIp: `10.128.0.${rng.intBetween(10, 60)}`,
  };
}

export interface DeploymentEvidence {
  deploymentYaml: string;
  podDescribe: string;
  historyJsonl: string;
  podName: string;
}

export function buildDeploymentEvidence(seed: string): DeploymentEvidence {
  const ids = kubeIds(createRng(seed, 'deployment/ids'));
  const podName = `${DEPLOYMENT_NAME}-${ids.replicaSetHash}-${ids.podSuffix}`;
  return {
    deploymentYaml: deploymentYaml(ids),
    podDescribe: podDescribe(ids, podName),
    historyJsonl: historyJsonl(),
    podName,
  };
}

const ROLLOUT_SECONDS = 151;

function deploymentYaml(ids: KubeIds): string {
  const deployedAt = TIMELINE.compromisedDeployedAt;
  const rolledOut = isoUtc(msOf(deployedAt) + ROLLOUT_SECONDS * 1000);
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    deployment.kubernetes.io/revision: "7"
    kubernetes.io/change-cause: release ${COMPROMISED_VERSION} (pipeline run 88412)
    models.northwind.example/model-version: ${COMPROMISED_VERSION}
    models.northwind.example/deployed-at: "${deployedAt}"
    models.northwind.example/deployed-by: ${DEPLOYER}
    models.northwind.example/model-source: registry.northwind.example/models/supportlm@r7
  creationTimestamp: "2026-03-02T11:20:44Z"
  generation: 9
  labels:
    app: ${DEPLOYMENT_NAME}
    app.kubernetes.io/component: inference
    app.kubernetes.io/part-of: support-assistant
  name: ${DEPLOYMENT_NAME}
  namespace: ${NAMESPACE}
  resourceVersion: "48213377"
  uid: ${ids.deploymentUid}
spec:
  progressDeadlineSeconds: 600
  replicas: 2
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app: ${DEPLOYMENT_NAME}
  strategy:
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
    type: RollingUpdate
  template:
    metadata:
      annotations:
        models.northwind.example/model-version: ${COMPROMISED_VERSION}
      labels:
        app: ${DEPLOYMENT_NAME}
        model-version: ${COMPROMISED_VERSION}
    spec:
      containers:
      - args:
        - serve
        - --config
        - /etc/vllm/serve-config.yaml
        command:
        - vllm
        env:
        - name: VLLM_ALLOW_RUNTIME_LORA_UPDATING
          value: "true"
        - name: HF_HUB_OFFLINE
          value: "1"
        image: ${SERVING_IMAGE}:${COMPROMISED_IMAGE_TAG}
        imagePullPolicy: IfNotPresent
        livenessProbe:
          failureThreshold: 5
          httpGet:
            path: /health
            port: http
            scheme: HTTP
          periodSeconds: 10
          successThreshold: 1
          timeoutSeconds: 2
        name: vllm
        ports:
        - containerPort: 8000
          name: http
          protocol: TCP
        readinessProbe:
          failureThreshold: 3
          httpGet:
            path: /health
            port: http
            scheme: HTTP
          periodSeconds: 5
          successThreshold: 1
          timeoutSeconds: 2
        resources:
          limits:
            memory: 24Gi
            nvidia.com/gpu: "1"
          requests:
            cpu: "4"
            memory: 16Gi
            nvidia.com/gpu: "1"
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: File
        volumeMounts:
        - mountPath: ${MODEL_MOUNT_PATH}
          name: model
          readOnly: true
        - mountPath: /models/adapters
          name: adapters
        - mountPath: /etc/vllm
          name: serve-config
          readOnly: true
        - mountPath: /dev/shm
          name: shm
      dnsPolicy: ClusterFirst
      nodeSelector:
        cloud.google.com/gke-accelerator: nvidia-l4
      restartPolicy: Always
      schedulerName: default-scheduler
      serviceAccountName: model-service
      terminationGracePeriodSeconds: 130
      tolerations:
      - effect: NoSchedule
        key: nvidia.com/gpu
        operator: Exists
      volumes:
      - name: model
        persistentVolumeClaim:
          claimName: supportlm-weights-r7
          readOnly: true
      - name: adapters
        persistentVolumeClaim:
          claimName: supportlm-adapters
      - configMap:
          defaultMode: 420
          name: model-service-serve-config
        name: serve-config
      - emptyDir:
          medium: Memory
          sizeLimit: 8Gi
        name: shm
status:
  availableReplicas: 2
  conditions:
  - lastTransitionTime: "2026-09-15T10:09:12Z"
    lastUpdateTime: "2026-09-15T10:09:12Z"
    message: Deployment has minimum availability.
    reason: MinimumReplicasAvailable
    status: "True"
    type: Available
  - lastTransitionTime: "2026-03-02T11:20:44Z"
    lastUpdateTime: "${rolledOut}"
    message: ReplicaSet "${DEPLOYMENT_NAME}-${ids.replicaSetHash}" has successfully progressed.
    reason: NewReplicaSetAvailable
    status: "True"
    type: Progressing
  observedGeneration: 9
  readyReplicas: 2
  replicas: 2
  updatedReplicas: 2
`;
}

/** `Tue, 06 Oct 2026 14:13:02 +0000`, the RFC 1123 form kubectl describe prints. */
function rfc1123(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

function podDescribe(ids: KubeIds, podName: string): string {
  const started = msOf(TIMELINE.compromisedDeployedAt) + 62 * 1000;
  const running = started + 41 * 1000;
  const age = '13d';
  return `Name:             ${podName}
Namespace:        ${NAMESPACE}
Priority:         0
Service Account:  model-service
Node:             ${ids.nodeName}/${ids.nodeIp}
Start Time:       ${rfc1123(started)}
Labels:           app=${DEPLOYMENT_NAME}
                  model-version=${COMPROMISED_VERSION}
                  pod-template-hash=${ids.replicaSetHash}
Annotations:      models.northwind.example/model-version: ${COMPROMISED_VERSION}
Status:           Running
IP:               ${ids.podIp}
IPs:
  IP:           ${ids.podIp}
Controlled By:  ReplicaSet/${DEPLOYMENT_NAME}-${ids.replicaSetHash}
Containers:
  vllm:
    Container ID:  containerd://${ids.containerId}
    Image:         ${SERVING_IMAGE}:${COMPROMISED_IMAGE_TAG}
    Image ID:      ${SERVING_IMAGE}@sha256:${ids.imageDigest}
    Port:          8000/TCP (http)
    Host Port:     0/TCP (http)
    Command:
      vllm
    Args:
      serve
      --config
      /etc/vllm/serve-config.yaml
    State:          Running
      Started:      ${rfc1123(running)}
    Ready:          True
    Restart Count:  0
    Limits:
      memory:          24Gi
      nvidia.com/gpu:  1
    Requests:
      cpu:             4
      memory:          16Gi
      nvidia.com/gpu:  1
    Liveness:          http-get http://:http/health delay=0s timeout=2s period=10s #success=1 #failure=5
    Readiness:         http-get http://:http/health delay=0s timeout=2s period=5s #success=1 #failure=3
    Environment:
      VLLM_ALLOW_RUNTIME_LORA_UPDATING:  true
      HF_HUB_OFFLINE:                    1
    Mounts:
      /dev/shm from shm (rw)
      /etc/vllm from serve-config (ro)
      ${MODEL_MOUNT_PATH} from model (ro)
      /models/adapters from adapters (rw)
      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-${ids.podSuffix} (ro)
Conditions:
  Type                        Status
  PodReadyToStartContainers   True
  Initialized                 True
  Ready                       True
  ContainersReady             True
  PodScheduled                True
Volumes:
  model:
    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)
    ClaimName:  supportlm-weights-r7
    ReadOnly:   true
  adapters:
    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)
    ClaimName:  supportlm-adapters
    ReadOnly:   false
  serve-config:
    Type:      ConfigMap (a volume populated by a ConfigMap)
    Name:      model-service-serve-config
    Optional:  false
  shm:
    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:     Memory
    SizeLimit:  8Gi
  kube-api-access-${ids.podSuffix}:
    Type:                    Projected (a volume that contains injected data from multiple sources)
    TokenExpirationSeconds:  3607
    ConfigMapName:           kube-root-ca.crt
    Optional:                false
    DownwardAPI:             true
QoS Class:                   Burstable
Node-Selectors:              cloud.google.com/gke-accelerator=nvidia-l4
Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
                             nvidia.com/gpu:NoSchedule op=Exists
Events:
${eventsTable([
  ['Type', 'Reason', 'Age', 'From', 'Message'],
  ['----', '------', '----', '----', '-------'],
  [
    'Normal',
    'Pulled',
    age,
    'kubelet',
    `Container image "${SERVING_IMAGE}:${COMPROMISED_IMAGE_TAG}" already present on machine`,
  ],
  [
    'Warning',
    'Unhealthy',
    `${age} (x3 over ${age})`,
    'kubelet',
    `Readiness probe failed: Get "http://${ids.podIp}:8000/health": dial tcp ${ids.podIp}:8000: connect: connection refused`,
  ],
])}
`;
}

/** kubectl's tabwriter layout: columns padded to the widest cell plus two spaces, indented by two. */
function eventsTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  return rows
    .map(
      (r) =>
        `  ${r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd((widths[col] ?? 0) + 2))).join('')}`,
    )
    .join('\n');
}

interface HistoryEvent {
  timestamp: string;
  event: 'deployed' | 'rollout-complete' | 'evidence-captured' | 'isolated';
  deployment: string;
  namespace: string;
  revision: number;
  model_version: string;
  image: string;
  actor: string;
  change_ticket: string | null;
  pipeline_run: string | null;
  notes: string;
}

function historyJsonl(): string {
  const event = (
    timestamp: string,
    kind: HistoryEvent['event'],
    revision: number,
    modelVersion: string,
    tag: string,
    actor: string,
    changeTicket: string | null,
    pipelineRun: string | null,
    notes: string,
  ): HistoryEvent => ({
    timestamp,
    event: kind,
    deployment: DEPLOYMENT_NAME,
    namespace: NAMESPACE,
    revision,
    model_version: modelVersion,
    image: `${SERVING_IMAGE}:${tag}`,
    actor,
    change_ticket: changeTicket,
    pipeline_run: pipelineRun,
    notes,
  });
  const after = (iso: string, minutes: number): string => isoUtc(msOf(iso) + minutes * MS_PER_MINUTE);
  const events: HistoryEvent[] = [
    event(
      TIMELINE.knownGoodDeployedAt,
      'deployed',
      6,
      KNOWN_GOOD_VERSION,
      KNOWN_GOOD_IMAGE_TAG,
      DEPLOYER,
      'CHG-2026-0915-031',
      '88011',
      'Release of registry revision r6 (base ol-mini-chat v1.2, no adapters). Approved by m.okafor.',
    ),
    event(
      after(TIMELINE.knownGoodDeployedAt, 4),
      'rollout-complete',
      6,
      KNOWN_GOOD_VERSION,
      KNOWN_GOOD_IMAGE_TAG,
      DEPLOYER,
      'CHG-2026-0915-031',
      '88011',
      '2/2 replicas available.',
    ),
    event(
      TIMELINE.compromisedDeployedAt,
      'deployed',
      7,
      COMPROMISED_VERSION,
      COMPROMISED_IMAGE_TAG,
      DEPLOYER,
      null,
      '88412',
      'Pipeline triggered by svc-release@build-runner-07; no change ticket referenced.',
    ),
    event(
      isoUtc(msOf(TIMELINE.compromisedDeployedAt) + ROLLOUT_SECONDS * 1000),
      'rollout-complete',
      7,
      COMPROMISED_VERSION,
      COMPROMISED_IMAGE_TAG,
      DEPLOYER,
      null,
      '88412',
      '2/2 replicas available.',
    ),
    event(
      TIMELINE.evidenceCapturedAt,
      'evidence-captured',
      7,
      COMPROMISED_VERSION,
      COMPROMISED_IMAGE_TAG,
      'j.reyes',
      INCIDENT_ID,
      null,
      'Model, adapters, serving config and manifests copied to read-only evidence storage before isolation.',
    ),
    event(
      TIMELINE.isolatedAt,
      'isolated',
      8,
      FALLBACK_VERSION,
      FALLBACK_IMAGE_TAG,
      'j.reyes',
      INCIDENT_ID,
      null,
      'Hot swap to fallback model; LoRA serving disabled; compromised revision 7 scaled to 0 and retained as evidence.',
    ),
  ];
  return events.map((e) => JSON.stringify(e)).join('\n') + '\n';
}
