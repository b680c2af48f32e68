/**
 * Validate plain Kubernetes objects against the official OpenAPI schemas, through
 * kubernetes-models (one class per apiVersion/kind, `validate()` throws with the failing paths).
 */
import * as monitoringV1 from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';

interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: any): { validate(): void };
}

// monitoring.coreos.com/v1: the prometheus-operator CRDs (ServiceMonitor, PrometheusRule), from the same project.
const MODULES = [coreV1, appsV1, autoscalingV2, networkingV1, policyV1, monitoringV1];

/** `apiVersion/kind` → model class, built from the modules' exports. */
const MODELS = new Map<string, ModelClass>(
  MODULES.flatMap((module) => Object.values(module as Record<string, unknown>))
    .filter((value): value is ModelClass => typeof value === 'function' && typeof (value as ModelClass).kind === 'string' && typeof (value as ModelClass).apiVersion === 'string')
    .map((model) => [`${model.apiVersion}/${model.kind}`, model]),
);

/** Schema errors of one object ('' when valid); an unknown apiVersion/kind is an error too. */
export function schemaErrors(object: Record<string, any>): string {
  const model = MODELS.get(`${object.apiVersion}/${object.kind}`);
  if (!model) return `no schema for ${object.apiVersion}/${object.kind}`;
  try {
    new model(object).validate();
    return '';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** How many kinds the helper knows (a sanity check that the ESM modules loaded). */
export const knownKinds = (): number => MODELS.size;
