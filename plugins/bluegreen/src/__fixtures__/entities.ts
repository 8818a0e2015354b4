import { Entity } from '@backstage/catalog-model';

/** The burnham component as the example catalog describes it. */
export const burnham: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'burnham',
    annotations: {
      'bluegreen/hostname': 'burnham.eks-blueprint.example.com',
      'bluegreen/blue-cluster': 'eks-blueprint-blue',
      'bluegreen/green-cluster': 'eks-blueprint-green',
      'backstage.io/kubernetes-id': 'burnham',
      'backstage.io/kubernetes-label-selector': 'app=burnham',
      'backstage.io/kubernetes-namespace': 'team-burnham',
    },
  },
  spec: { type: 'service', owner: 'group:default/team-burnham' },
};

/** The same component without any bluegreen annotation. */
export const unannotated: Entity = {
  ...burnham,
  metadata: { name: 'plain', annotations: {} },
};

/** The generation's System: the same annotations, burnham its part. */
export const eksBlueprint: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: {
    name: 'eks-blueprint',
    annotations: {
      'bluegreen/hostname': 'burnham.eks-blueprint.example.com',
      'bluegreen/blue-cluster': 'eks-blueprint-blue',
      'bluegreen/green-cluster': 'eks-blueprint-green',
    },
  },
  spec: { owner: 'group:default/team-burnham' },
  relations: [{ type: 'hasPart', targetRef: 'component:default/burnham' }],
};
