import { renderTestApp } from '@backstage/frontend-test-utils';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { screen } from '@testing-library/react';
import { burnham, unannotated } from './__fixtures__/entities';
import { entityBlueGreenCard } from './alpha';

describe('new frontend system entity card', () => {
  it('renders on an entity page for an entity with bluegreen annotations', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: burnham }),
        entityBlueGreenCard,
      ],
    });

    expect(await screen.findByText('eks-blueprint-green')).toBeInTheDocument();
    expect(
      screen.getByText('burnham.eks-blueprint.example.com'),
    ).toBeInTheDocument();
  });

  it('is filtered out for an entity without them', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: unannotated }),
        entityBlueGreenCard,
      ],
    });

    // The test page renders this marker when its filters leave no card to show.
    expect(await screen.findByTestId('empty-entity-page')).toBeInTheDocument();
    expect(screen.queryByText('Blue/green')).toBeNull();
  });
});
