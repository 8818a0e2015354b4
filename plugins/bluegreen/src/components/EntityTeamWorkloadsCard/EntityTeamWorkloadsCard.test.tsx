import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, within } from '@testing-library/react';
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

  it('renders nothing on a team whose components have no bluegreen hostname', async () => {
    const docsTeam: Entity = {
      ...team,
      metadata: { name: 'team-docs' },
      relations: [{ type: 'ownerOf', targetRef: 'component:default/docs' }],
    };
    // Both teams' lookups go to the same catalog at once: once team-burnham's card is
    // there, team-docs' lookup has answered too.
    await renderWithApis(
      <>
        <EntityTeamWorkloadsCard />
        <div data-testid="team-docs">
          <EntityProvider entity={docsTeam}>
            <EntityTeamWorkloadsCard />
          </EntityProvider>
        </div>
      </>,
      team,
      { entities: [burnham, docs] },
    );
    expect(
      await screen.findByTestId(
        'bluegreen-row-burnham',
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(screen.getAllByText('Workloads on the clusters')).toHaveLength(1);
    expect(screen.getByTestId('team-docs')).toBeEmptyDOMElement();
  });
});
