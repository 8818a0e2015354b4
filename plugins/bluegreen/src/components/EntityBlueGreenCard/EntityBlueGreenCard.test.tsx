import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import { burnham, unannotated } from '../../__fixtures__/entities';
import { EntityBlueGreenCard } from './EntityBlueGreenCard';

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
    await renderInTestApp(
      <EntityProvider entity={unannotated}>
        <EntityBlueGreenCard />
      </EntityProvider>,
    );

    expect(screen.getByText('bluegreen/hostname')).toBeInTheDocument();
    expect(screen.queryByTestId('bluegreen-cluster-blue')).toBeNull();
  });
});
