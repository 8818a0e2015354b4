import { Entity } from '@backstage/catalog-model';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { act, screen, waitFor, within } from '@testing-library/react';
import { burnham } from '../../__fixtures__/entities';
import { burnhamObjects } from '../../__fixtures__/kubernetes';
import { burnhamStatus } from '../../__fixtures__/traffic';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { EntityTeamWorkloadsCard } from './EntityTeamWorkloadsCard';

jest.setTimeout(20_000);

const team: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-burnham' },
  spec: { type: 'team', children: [] },
  relations: [
    { type: 'ownerOf', targetRef: 'component:default/burnham' },
    { type: 'ownerOf', targetRef: 'component:default/docs' },
  ],
};
const docs: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'docs' },
  spec: { type: 'website', owner: 'group:default/team-burnham' },
};

describe('EntityTeamWorkloadsCard', () => {
  it("lists the team's components, where each runs, whether ready, and the traffic split", async () => {
    await renderWithApis(<EntityTeamWorkloadsCard />, team, {
      status: { burnham: burnhamStatus },
      objects: { burnham: burnhamObjects },
      entities: [burnham, docs],
    });
    const row = within(
      await screen.findByTestId(
        'bluegreen-row-burnham',
        {},
        { timeout: 10_000 },
      ),
    );
    expect(
      await row.findByText(
        'eks-blueprint-blue: 2/2 deployments ready',
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(
      row.getByText(
        'eks-blueprint-green: 1/2 deployments ready (not ready: burnham-worker 1/2)',
      ),
    ).toBeInTheDocument();
    expect(
      await row.findByText('blue=100 green=0 (route53)'),
    ).toBeInTheDocument();
    const other = within(screen.getByTestId('bluegreen-row-docs'));
    expect(other.getByText('no bluegreen hostname')).toBeInTheDocument();
  });

  it('renders nothing on a team whose components have no bluegreen hostname, once the catalog has answered', async () => {
    const catalogApi = catalogApiMock({ entities: [burnham, docs] });
    const lookup = jest.spyOn(catalogApi, 'getEntitiesByRefs');
    await renderWithApis(
      <div data-testid="team-docs">
        <EntityTeamWorkloadsCard />
      </div>,
      {
        ...team,
        relations: [{ type: 'ownerOf', targetRef: 'component:default/docs' }],
      },
      { catalogApi },
    );
    await waitFor(() => expect(lookup).toHaveBeenCalledTimes(1));
    expect(lookup.mock.calls[0][0].entityRefs).toEqual([
      'component:default/docs',
    ]);
    await act(async () => {
      await lookup.mock.results[0].value;
    });
    expect(screen.getByTestId('team-docs')).toBeEmptyDOMElement();
  });

  it('renders nothing on a team that owns no components', async () => {
    await renderWithApis(
      <div data-testid="no-components">
        <EntityTeamWorkloadsCard />
      </div>,
      { ...team, relations: [] },
    );
    expect(screen.getByTestId('no-components')).toBeEmptyDOMElement();
  });

  it("shows the catalog's error rather than hiding the card", async () => {
    const catalogApi = catalogApiMock({ entities: [] });
    jest
      .spyOn(catalogApi, 'getEntitiesByRefs')
      .mockRejectedValue(new Error('catalog is down'));
    await renderWithApis(<EntityTeamWorkloadsCard />, team, { catalogApi });
    expect(
      await screen.findByText('Workloads on the clusters'),
    ).toBeInTheDocument();
    expect(await screen.findAllByText(/catalog is down/)).not.toHaveLength(0);
  });
});
