import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import { EntityBlueGreenCard } from './EntityBlueGreenCard';

const burnham: Entity = {
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

describe('EntityBlueGreenCard', () => {
  it('shows both clusters and the hostname of the burnham component', async () => {
    await renderInTestApp(
      <EntityProvider entity={burnham}>
        <EntityBlueGreenCard />
      </EntityProvider>,
    );

    expect(
      screen.getByText('burnham.eks-blueprint.example.com'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('bluegreen-cluster-blue')).getByText(
        'eks-blueprint-blue',
      ),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('bluegreen-cluster-green')).getByText(
        'eks-blueprint-green',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('app=burnham')).toBeInTheDocument();
    expect(screen.getByText('team-burnham')).toBeInTheDocument();
  });

  it('says which annotation is missing when the entity has no hostname', async () => {
    const { metadata } = burnham;
    await renderInTestApp(
      <EntityProvider
        entity={{
          ...burnham,
          metadata: { ...metadata, annotations: {} },
        }}
      >
        <EntityBlueGreenCard />
      </EntityProvider>,
    );

    expect(screen.getByText('bluegreen/hostname')).toBeInTheDocument();
    expect(screen.queryByTestId('bluegreen-cluster-blue')).toBeNull();
  });
});
