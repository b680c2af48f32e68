/**
 * Pulumi entry point (`main: infra/` in Pulumi.yaml): read the stack's config once, turn it into
 * the stack spec, declare the target's components. Named exports are the stack outputs.
 */
import { readInfraConfig } from './config.ts';
import { deployStack } from './program.ts';
import { stackSpec } from './spec.ts';

const { stack, deploy } = readInfraConfig();
const outputs = deployStack(stackSpec(stack), deploy);

/** Where the site answers (kind: the NodePort mapped to localhost by k8s/kind-config.yaml). */
export const siteUrl = outputs.siteUrl;
export const target = outputs.target;
export const namespace = outputs.namespace;
