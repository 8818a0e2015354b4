import { Entity } from '@backstage/catalog-model';
import { isBlueGreenSystem, isComponentOwner } from './entityFilters';

const system = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: { name: 'eks-blueprint', annotations },
  spec: { owner: 'group:default/platform' },
});
const group = (relations: Entity['relations']): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-burnham' },
  spec: { type: 'team', children: [] },
  relations,
});

describe('the extensions filters', () => {
  it.each([
    [{ 'bluegreen/blue-cluster': 'eks-blueprint-blue' }, true],
    [{ 'bluegreen/green-cluster': 'eks-blueprint-green' }, true],
    [{ 'bluegreen/hostname': 'burnham.eks-blueprint.example.com' }, true],
    [{ 'backstage.io/source-location': 'url:https://example.com' }, false],
    [{}, false],
  ])('the System tab shows on a System with %j: %s', (annotations, shown) => {
    expect(isBlueGreenSystem(system(annotations))).toBe(shown);
  });

  it('the System tab shows on no other kind, whatever its annotations', () => {
    expect(
      isBlueGreenSystem({
        ...system({ 'bluegreen/blue-cluster': 'eks-blueprint-blue' }),
        kind: 'Component',
      }),
    ).toBe(false);
  });

  it('the team card shows on a Group owning a Component, not one owning only other kinds or nothing', () => {
    expect(
      isComponentOwner(
        group([{ type: 'ownerOf', targetRef: 'component:default/burnham' }]),
      ),
    ).toBe(true);
    expect(
      isComponentOwner(
        group([{ type: 'ownerOf', targetRef: 'system:default/eks-blueprint' }]),
      ),
    ).toBe(false);
    expect(isComponentOwner(group([]))).toBe(false);
    expect(
      isComponentOwner({
        ...group([{ type: 'ownerOf', targetRef: 'component:default/burnham' }]),
        kind: 'User',
      }),
    ).toBe(false);
  });
});
